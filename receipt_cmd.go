package main

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"vinculo/plugins/erasure"
)

// receiptCommand is `vinculo receipt verify FILE`: whether a saved erasure
// receipt is the one this business signed, checked against the receipt key
// in the data dir (or the public key given with --key, as
// /api/crm/erasure/key publishes it). It prints "authentic" or "not
// authentic"; exit code 0 or 1, 2 for a file that cannot be read or a bad
// --key. It never makes a key.
func receiptCommand(app core.App) *cobra.Command {
	receipt := &cobra.Command{
		Use:   "receipt",
		Short: "Checks the signed receipts of erasures",
	}
	var key string
	verify := &cobra.Command{
		Use:   "verify FILE",
		Short: "Says whether a saved erasure receipt is authentic",
		Long: "Checks the signature of an erasure receipt saved from its mail (line endings a mail client\n" +
			"changed to CRLF do not matter; any other change does) against the receipt key in the data\n" +
			"dir, or against --key, the public key the business publishes at /api/crm/erasure/key.\n" +
			"Prints \"authentic\" (exit 0) or \"not authentic\" (exit 1).",
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			text, err := os.ReadFile(args[0])
			if err != nil {
				return badConfig("the receipt %s cannot be read: %v", args[0], err)
			}
			pub, id, err := receiptKey(app.DataDir(), key)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			digest, err := erasure.Verify(pub, text)
			if err != nil {
				fmt.Fprintln(out, "not authentic")
				return fmt.Errorf("%s: %w (key %s)", filepath.Base(args[0]), err, id)
			}
			fmt.Fprintln(out, "authentic")
			fmt.Fprintf(out, "Signed with key %s; SHA-256 of the text %s.\n", id, digest)
			return nil
		},
	}
	verify.Flags().StringVar(&key, "key", "", "the business's public receipt key, base64 (default: the key in the data dir)")
	receipt.AddCommand(verify)
	return receipt
}

// receiptKey is the public key a receipt is checked against, and its id.
func receiptKey(dataDir, given string) (ed25519.PublicKey, string, error) {
	if given != "" {
		b, err := base64.StdEncoding.DecodeString(given)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, "", badConfig("--key must be the 32-byte public key in base64, as /api/crm/erasure/key gives it")
		}
		pub := ed25519.PublicKey(b)
		return pub, erasure.KeyID(pub), nil
	}
	pub, id, err := erasure.StoredPublicKey(dataDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", fmt.Errorf("no receipt key in %s: this data dir never signed a receipt (give --key)", dataDir)
	}
	return pub, id, err
}
