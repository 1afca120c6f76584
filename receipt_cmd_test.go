package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vinculo/plugins/erasure"
	"vinculo/testkit"
)

// `vinculo receipt verify FILE`, run in process: a receipt this data dir's
// key signed is authentic (exit 0), also with CRLF line endings; one changed
// byte or another business's key is not (exit 1); a missing file or a bad
// --key is exit 2; a data dir with no key says so and makes none.
func TestReceiptVerifyCLI(t *testing.T) {
	app := testkit.NewApp(t)
	dir := t.TempDir()
	run := func(args ...string) (string, error) {
		cmd := receiptCommand(app)
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(append([]string{"verify"}, args...))
		err := cmd.Execute()
		return out.String(), err
	}
	file := func(name, text string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	var cfgErr *configError

	text := "Loja — Recibo de eliminação\n\nReferência: ER-ABCDEFGH\n"
	otherPub, otherPriv, _ := ed25519.GenerateKey(nil)
	foreign, _, _ := erasure.Sign(otherPriv, text)
	if _, err := run(file("foreign.txt", foreign)); err == nil || errors.As(err, &cfgErr) || !strings.Contains(err.Error(), "no receipt key") {
		t.Errorf("a data dir that never signed: %v, want exit 1 saying there is no key", err)
	}
	if _, err := os.Stat(filepath.Join(app.DataDir(), erasure.KeyFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("checking made a key: %v", err)
	}

	priv, err := erasure.SigningKey(app)
	if err != nil {
		t.Fatal(err)
	}
	signed, digest, _ := erasure.Sign(priv, text)
	changed := strings.Replace(signed, "ER-ABCDEFGH", "ER-ABCDEFGX", 1)
	for name, c := range map[string]struct {
		text      string
		args      []string
		authentic bool
	}{
		"as mailed":            {signed, nil, true},
		"CRLF":                 {strings.ReplaceAll(signed, "\n", "\r\n"), nil, true},
		"one byte changed":     {changed, nil, false},
		"CRLF, one byte":       {strings.ReplaceAll(changed, "\n", "\r\n"), nil, false},
		"another business's":   {foreign, nil, false},
		"with its own --key":   {foreign, []string{"--key", base64.StdEncoding.EncodeToString(otherPub)}, true},
		"with another's --key": {signed, []string{"--key", base64.StdEncoding.EncodeToString(otherPub)}, false},
		"no signature at all":  {text, nil, false},
		"an empty file":        {"", nil, false},
	} {
		out, err := run(append(c.args, file(strings.ReplaceAll(name, " ", "_"), c.text))...)
		first, _, _ := strings.Cut(out, "\n")
		switch {
		case c.authentic && (err != nil || first != "authentic"):
			t.Errorf("%s: %q %v, want authentic, exit 0", name, out, err)
		case !c.authentic && (err == nil || errors.As(err, &cfgErr) || first != "not authentic"):
			t.Errorf("%s: %q %v, want not authentic, exit 1", name, out, err)
		}
		if name == "as mailed" && !strings.Contains(out, digest) {
			t.Errorf("the text's digest is not printed: %s", out)
		}
	}
	if _, err := run(filepath.Join(dir, "nothing-here.txt")); !errors.As(err, &cfgErr) {
		t.Errorf("a missing file: %v, want exit 2", err)
	}
	if _, err := run("--key", "not-a-key", file("k.txt", signed)); !errors.As(err, &cfgErr) || !strings.Contains(err.Error(), "--key") {
		t.Errorf("a bad --key: %v, want exit 2 naming it", err)
	}
}
