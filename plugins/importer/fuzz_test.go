package importer_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"vinculo/plugins/importer"
)

// seeds adds every testdata file matching pattern to f's corpus.
func seeds(f *testing.F, patterns ...string) {
	for _, pattern := range patterns {
		files, err := filepath.Glob(filepath.Join("testdata", pattern))
		if err != nil || len(files) == 0 {
			f.Fatalf("no seed files for %s", pattern)
		}
		for _, name := range files {
			raw, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			// Big seeds make the fuzzer crawl (it minimises what it finds):
			// a file's first 8 KB hold its dialect and its faults but one,
			// the late bad byte of bad_encoding_late.csv, which
			// TestImportReadBrokenFiles covers.
			f.Add(raw[:min(len(raw), 8<<10)])
		}
	}
}

// readAll reads data as the import would, checking what every reader must
// keep whatever the bytes: no panic, a clear error for a file that is no
// table, and for each bad row a line and a reason.
func readAll(t *testing.T, data []byte, kind string) {
	_, err := importer.Read(bytes.NewReader(data), kind, nil, func(r importer.Row) error {
		for _, p := range r.Problems {
			if p.Line < 1 || strings.TrimSpace(p.Reason) == "" {
				t.Fatalf("a problem without line or reason: %+v", p)
			}
		}
		if len(r.Problems) == 0 && r.Line < 1 {
			t.Fatalf("a row without a line: %+v", r)
		}
		return nil
	})
	if err != nil {
		var fileErr *importer.ErrFile
		if !errors.As(err, &fileErr) || strings.TrimSpace(err.Error()) == "" {
			t.Fatalf("unclear error %T: %v", err, err)
		}
	}
}

func FuzzDetectDialect(f *testing.F) {
	seeds(f, "*.csv", "*.tsv")
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := importer.DetectDialect(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		if d.Delimiter != ',' && d.Delimiter != ';' && d.Delimiter != '\t' {
			t.Fatalf("delimiter %q", d.Delimiter)
		}
		readAll(t, data, importer.KindContacts)
		readAll(t, data, importer.KindCompanies)
	})
}

func FuzzReadVCard(f *testing.F) {
	seeds(f, "*.vcf")
	f.Fuzz(func(t *testing.T, data []byte) {
		readAll(t, data, importer.KindContacts)
		// Always as a vCard, whatever the fuzzer put first.
		readAll(t, append([]byte("BEGIN:VCARD\n"), data...), importer.KindContacts)
	})
}
