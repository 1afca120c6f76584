package hooksapi

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dop251/goja_nodejs/require"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/template"

	"vinculo/hooks"
)

// Where the hooks come from. The shipped hooks (hooks/*.pb.js, lib.js and
// views/) are embedded in the binary, so the automations run wherever the
// binary runs. The hooks folder on disk (hooks.dir) adds to them: a file of
// the same name as a shipped one replaces it (an empty file switches it
// off), any other *.pb.js is one more hook. lib.js and views/ are looked up
// in the folder first, then in the binary, under the same `${__hooks}` path.

// Embedded is the origin of a hook that comes from the binary.
const Embedded = "embedded"

// embeddedPrefix is the path the handlers of an embedded hook are compiled
// under, so that a stack trace says where the code came from.
const embeddedPrefix = "embedded/"

const withoutShippedKey = "vinculo.hooksapi.without_shipped"

// WithoutShipped makes Register on app load only the files of the hooks
// folder, not the shipped ones: for tests and benchmarks that measure their
// own hooks alone. Call it before Register.
func WithoutShipped(app core.App) { app.Store().Set(withoutShippedKey, true) }

// shippedFS is the shipped hooks of app (none after WithoutShipped).
func shippedFS(app core.App) fs.FS {
	if app.Store().Has(withoutShippedKey) {
		return nil
	}
	return hooks.FS
}

// Source is one loaded hook file and where it came from: Embedded, or the
// folder it was read from.
type Source struct {
	Name, From string
}

// Loaded lists the hook files app runs, in the order they loaded.
func Loaded(app core.App) []Source {
	en := engineOf(app)
	if en == nil {
		return nil
	}
	return slices.Clone(en.loaded)
}

// LoadedMessage is the start-up lines that say which hooks run and from where.
func LoadedMessage(app core.App) string {
	var b strings.Builder
	list := Loaded(app)
	if len(list) == 0 {
		return "JavaScript hooks: none\n"
	}
	b.WriteString("JavaScript hooks, in the order they load:\n")
	for _, s := range list {
		fmt.Fprintf(&b, "  %-28s %s\n", s.Name, s.From)
	}
	return b.String()
}

// shippedHookFiles reads the *.pb.js files at the root of fsys.
func shippedHookFiles(fsys fs.FS) ([]hookFile, error) {
	if fsys == nil {
		return nil, nil
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	var files []hookFile
	for _, e := range entries {
		if e.IsDir() || !hookFilePattern.MatchString(e.Name()) {
			continue
		}
		raw, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, err
		}
		files = append(files, hookFile{name: e.Name(), path: embeddedPrefix + e.Name(), from: Embedded, content: raw})
	}
	return files, nil
}

// mergeHookFiles: the folder's files over the shipped ones, by name, in
// byte order of their names.
func mergeHookFiles(shipped, folder []hookFile) []hookFile {
	byName := map[string]hookFile{}
	for _, f := range shipped {
		byName[f.name] = f
	}
	for _, f := range folder {
		byName[f.name] = f
	}
	out := make([]hookFile, 0, len(byName))
	for _, f := range byName {
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b hookFile) int { return strings.Compare(a.name, b.name) })
	return out
}

// inHooksDir is path relative to the hooks folder, when it is inside it.
func (en *engine) inHooksDir(path string) (string, bool) {
	for _, dir := range []string{en.dir, en.realDir} {
		if dir == "" {
			continue
		}
		if r, err := filepath.Rel(dir, path); err == nil && r != "." && !strings.HasPrefix(r, "..") {
			return filepath.ToSlash(r), true
		}
	}
	return "", false
}

// readHookPath reads a file the hooks name by path: from disk, or, for a
// path inside the hooks folder that is not on disk, from the shipped files.
func (en *engine) readHookPath(path string) ([]byte, error) {
	if rel, ok := strings.CutPrefix(path, embeddedPrefix); ok && en.shipped != nil {
		return fs.ReadFile(en.shipped, rel)
	}
	raw, err := os.ReadFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return raw, err
	}
	if rel, ok := en.inHooksDir(path); ok && en.shipped != nil {
		return fs.ReadFile(en.shipped, rel)
	}
	return nil, err
}

// requireSource is require()'s loader: a module of the hooks folder, else
// the shipped one of the same name.
func (en *engine) requireSource(path string) ([]byte, error) {
	raw, err := en.readHookPath(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, require.ModuleFileDoesNotExistError
	}
	if err == nil {
		if info, statErr := os.Stat(path); statErr == nil && info.IsDir() {
			return nil, require.ModuleFileDoesNotExistError
		}
	}
	return raw, err
}

// hookTemplates is `$template`: PocketBase's template registry, whose
// loadFiles finds the files of the hooks folder on disk or, failing that,
// in the binary (the shipped views/).
type hookTemplates struct {
	*template.Registry
	en *engine
}

// LoadFiles parses filenames as one template.
func (t *hookTemplates) LoadFiles(filenames ...string) *template.Renderer {
	rels := make([]string, 0, len(filenames))
	for _, f := range filenames {
		rel, ok := t.en.inHooksDir(f)
		if !ok || t.en.shipped == nil {
			return t.Registry.LoadFiles(filenames...)
		}
		rels = append(rels, rel)
	}
	return t.Registry.LoadFS(overlayFS{t.en}, rels...)
}

// overlayFS is the hooks folder on disk over the shipped files.
type overlayFS struct{ en *engine }

func (o overlayFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := os.DirFS(o.en.dir).Open(name)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return f, err
	}
	return o.en.shipped.Open(name)
}

// String keys the template cache by folder.
func (o overlayFS) String() string { return "hooks:" + o.en.dir }
