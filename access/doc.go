// Package access holds the access-rule matrix test: every collection × every
// actor × every operation, hostile attempts included. It has no code of its own.
package access
