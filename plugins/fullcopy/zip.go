package fullcopy

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"vinculo/crm"
)

// Files in the ZIP besides the sections.
const (
	ReadmeFile   = "README.txt"
	ManifestFile = "manifest.json"
)

// Manifest is manifest.json: the README's list, for programs.
type Manifest struct {
	GeneratedAt     string          `json:"generated_at"`
	Language        string          `json:"language"`
	Contact         map[string]any  `json:"contact"`
	Files           []FileEntry     `json:"files"`
	WithheldFields  []ManifestField `json:"withheld_fields"`
	WithheldRecords []ManifestLeft  `json:"withheld_records"`
}

// FileEntry is one file of the ZIP.
type FileEntry struct {
	File    string `json:"file"`
	Section string `json:"section"`
	Rows    int    `json:"rows"`
	About   string `json:"about"`
}

// ManifestField is a field left out of a section, and why.
type ManifestField struct {
	Section string `json:"section"`
	Field   string `json:"field"`
	Reason  string `json:"reason"`
	Why     string `json:"why"`
}

// ManifestLeft counts the records left out of a section, and why.
type ManifestLeft struct {
	Section string `json:"section"`
	Count   int    `json:"count"`
	Reason  string `json:"reason"`
	Why     string `json:"why"`
}

// Write puts the copy into one ZIP: per section a JSON and a CSV file, the
// files uploaded to its records, manifest.json and README.txt.
func Write(app core.App, w io.Writer, cp *Copy, business string) error {
	z := zip.NewWriter(w)
	m := Manifest{GeneratedAt: cp.At.UTC().Format(time.RFC3339), Language: cp.Lang,
		Contact: map[string]any{"id": cp.Contact.Id, "name": cp.Contact.GetString("name")}}
	for _, s := range cp.Sections {
		about := aboutSection(s, cp.Lang)
		for _, f := range []struct {
			name  string
			write func(io.Writer, *Section) error
		}{{s.Name + ".json", writeJSON}, {s.Name + ".csv", writeCSV}} {
			out, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: cp.At})
			if err != nil {
				return err
			}
			if err := f.write(out, s); err != nil {
				return fmt.Errorf("%s: %w", f.name, err)
			}
			m.Files = append(m.Files, FileEntry{File: f.name, Section: s.Name, Rows: len(s.Rows), About: about})
		}
		for _, field := range sortedKeys(s.Withheld) {
			m.WithheldFields = append(m.WithheldFields, ManifestField{Section: s.Name, Field: field, Reason: s.Withheld[field], Why: reasonText(s.Withheld[field], cp.Lang)})
		}
	}
	if err := writeAttachments(app, z, cp, &m); err != nil {
		return err
	}
	for _, l := range cp.Left {
		m.WithheldRecords = append(m.WithheldRecords, ManifestLeft{Section: l.Section, Count: l.Count, Reason: l.Reason, Why: reasonText(l.Reason, cp.Lang)})
	}
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	for name, body := range map[string][]byte{ManifestFile: raw, ReadmeFile: []byte(readme(cp, m, business))} {
		out, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: cp.At})
		if err != nil {
			return err
		}
		if _, err := out.Write(body); err != nil {
			return err
		}
	}
	return z.Close()
}

// writeAttachments copies each file uploaded to a record of the copy.
func writeAttachments(app core.App, z *zip.Writer, cp *Copy, m *Manifest) error {
	var all []Attachment
	for _, s := range cp.Sections {
		all = append(all, s.Files...)
	}
	if len(all) == 0 {
		return nil
	}
	fsys, err := app.NewFilesystem()
	if err != nil {
		return err
	}
	defer fsys.Close()
	for _, a := range all {
		r, err := fsys.GetReader(a.Record.BaseFilesPath() + "/" + a.Name)
		if err != nil {
			app.Logger().Warn("full copy: an uploaded file could not be read", "path", a.Path, "error", err)
			continue
		}
		out, err := z.CreateHeader(&zip.FileHeader{Name: a.Path, Method: zip.Deflate, Modified: cp.At})
		if err == nil {
			_, err = io.Copy(out, r)
		}
		r.Close()
		if err != nil {
			return err
		}
		m.Files = append(m.Files, FileEntry{File: a.Path, Section: "files", Rows: 1, About: attachmentAbout(cp.Lang)})
	}
	return nil
}

func writeJSON(w io.Writer, s *Section) error {
	rows := s.Rows
	if rows == nil {
		rows = []map[string]any{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rows)
}

// writeCSV writes one line per row, the columns in the section's order;
// a list or an object is written as JSON inside its cell.
func writeCSV(w io.Writer, s *Section) error {
	c := csv.NewWriter(w)
	if err := c.Write(s.Columns); err != nil {
		return err
	}
	line := make([]string, len(s.Columns))
	for _, row := range s.Rows {
		for i, col := range s.Columns {
			line[i] = crm.NeutraliseCell(cell(row[col]))
		}
		if err := c.Write(line); err != nil {
			return err
		}
	}
	c.Flush()
	return c.Error()
}

func cell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case types.DateTime:
		return x.String()
	case types.JSONRaw:
		if s := x.String(); s != "null" {
			return s
		}
		return ""
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}

// ZIP builds the whole ZIP in memory (a copy is one person's records).
func ZIP(app core.App, cp *Copy, business string) ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(app, &buf, cp, business); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
