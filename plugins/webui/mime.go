package webui

import "mime"

// Web app manifests (the workspace's and the portal's) need their own type:
// Go's table lacks it, and a manifest sent as text/plain is ignored by some
// browsers' install checks.
func init() {
	_ = mime.AddExtensionType(".webmanifest", "application/manifest+json")
}
