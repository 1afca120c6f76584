package erasure

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/core"
)

// The receipt is plain text in the person's language, then its signature:
// everything before signatureStart is what is signed, byte for byte.
const (
	signatureStart = "-----BEGIN VINCULO SIGNATURE-----\n"
	signatureEnd   = "-----END VINCULO SIGNATURE-----\n"
	// KeyFile is the signing key, in the data dir, readable by its owner only.
	KeyFile = "erasure_receipt_key.pem"
)

var keyMu sync.Mutex

// SigningKey is the business's receipt key, made once and kept in the data
// dir (0600). A receipt stays checkable with the public key as long as this
// file is kept: back it up with the data dir.
func SigningKey(app core.App) (ed25519.PrivateKey, error) {
	keyMu.Lock()
	defer keyMu.Unlock()
	path := filepath.Join(app.DataDir(), KeyFile)
	if priv, err := readKey(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return priv, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	tmp := path + ".part"
	if err := os.WriteFile(tmp, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	return priv, os.Rename(tmp, path)
}

// readKey reads the signing key at path; an error wrapping os.ErrNotExist
// when there is none.
func readKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%s: not a PEM key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s: not an ed25519 key", path)
	}
	return priv, nil
}

// StoredPublicKey is the public key of the receipt key kept in dataDir, and
// its id, without making one when there is none (the error then wraps
// os.ErrNotExist): what checks a receipt offline.
func StoredPublicKey(dataDir string) (ed25519.PublicKey, string, error) {
	priv, err := readKey(filepath.Join(dataDir, KeyFile))
	if err != nil {
		return nil, "", err
	}
	pub := priv.Public().(ed25519.PublicKey)
	return pub, keyID(pub), nil
}

// PublicKey is the receipts' public key, base64 (standard, 32 bytes), and
// its id (the first 8 bytes of its SHA-256, hex) that each receipt names.
func PublicKey(app core.App) (key, id string, err error) {
	priv, err := SigningKey(app)
	if err != nil {
		return "", "", err
	}
	pub := priv.Public().(ed25519.PublicKey)
	return base64.StdEncoding.EncodeToString(pub), keyID(pub), nil
}

// KeyID is the id a receipt names its key by.
func KeyID(pub ed25519.PublicKey) string { return keyID(pub) }

func keyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// Sign appends the signature to text (which must end with a new line).
func Sign(priv ed25519.PrivateKey, text string) (signed, digest, signature string) {
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	sig := ed25519.Sign(priv, []byte(text))
	sum := sha256.Sum256([]byte(text))
	signature = base64.StdEncoding.EncodeToString(sig)
	return text + signatureStart + signature + "\n" + signatureEnd, hex.EncodeToString(sum[:]), signature
}

// ErrBadReceipt is a receipt whose text or signature was changed, or that
// another key signed.
var ErrBadReceipt = errors.New("the receipt's signature does not match its text: it was changed or not signed by this business")

// Verify checks a signed receipt, byte for byte, against pub; it returns
// the SHA-256 of the signed text. The receipt is signed with plain new
// lines: one a mail client or an editor saved with CRLF line endings (or
// without the last new line) still verifies; any other change fails.
func Verify(pub ed25519.PublicKey, receipt []byte) (digest string, err error) {
	receipt = bytes.ReplaceAll(receipt, []byte("\r\n"), []byte("\n"))
	if !bytes.HasSuffix(receipt, []byte("\n")) {
		receipt = append(receipt, '\n')
	}
	at := bytes.Index(receipt, []byte(signatureStart))
	if at < 0 {
		return "", ErrBadReceipt
	}
	text, rest := receipt[:at], receipt[at+len(signatureStart):]
	sigText, tail, ok := bytes.Cut(rest, []byte("\n"))
	if !ok || string(tail) != signatureEnd {
		return "", ErrBadReceipt
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(string(sigText))
	if err != nil || len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, text, sig) {
		return "", ErrBadReceipt
	}
	sum := sha256.Sum256(text)
	return hex.EncodeToString(sum[:]), nil
}

// receiptText is the receipt in lang: the reference, the dates, what was
// erased and what was kept with its legal basis. It names no person, so
// the business may keep it.
func receiptText(lang, business, publicURL, ref, keyID string, asked, done time.Time, loc *time.Location, erased map[string]int, kept map[string][]Kept) string {
	w := wordsFor(lang)
	var b strings.Builder
	fmt.Fprintf(&b, "%s — %s\n\n", business, w["title"])
	fmt.Fprintf(&b, "%s: %s\n", w["ref"], ref)
	fmt.Fprintf(&b, "%s: %s\n", w["asked"], asked.In(loc).Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "%s: %s\n", w["done"], done.In(loc).Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "%s: %s\n\n", w["key"], keyID)
	fmt.Fprintf(&b, "%s\n", w["erased"])
	names := sortedKeys(erased)
	for _, c := range names {
		fmt.Fprintf(&b, "- %s: %d\n", collectionWord(lang, c), erased[c])
	}
	if len(names) == 0 {
		fmt.Fprintf(&b, "- %s\n", w["nothing"])
	}
	fmt.Fprintf(&b, "\n%s\n", w["kept"])
	keptNames := make([]string, 0, len(kept))
	for c := range kept {
		keptNames = append(keptNames, c)
	}
	sort.Strings(keptNames)
	for _, c := range keptNames {
		for _, k := range kept[c] {
			until := w["while"]
			if k.Until != "" {
				until = fmt.Sprintf(w["until"], k.Until)
			}
			fmt.Fprintf(&b, "- %s %s (%s): %s\n", keptWord(lang, c), k.Label, until, basisWord(lang, k.Basis))
		}
	}
	fmt.Fprintf(&b, "- %s\n\n", w["this"])
	fmt.Fprintf(&b, w["check"]+"\n", strings.TrimRight(publicURL, "/"))
	return b.String()
}

func sortedKeys(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
