package hooksapi

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/dop251/goja"
	"github.com/dop251/goja_nodejs/buffer"
	"github.com/dop251/goja_nodejs/console"
	"github.com/dop251/goja_nodejs/process"
	"github.com/dop251/goja_nodejs/require"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/plugins/jsvm"
	"github.com/pocketbase/pocketbase/tools/hook"
	"github.com/pocketbase/pocketbase/tools/template"
	"github.com/spf13/cast"
)

// The same files PocketBase's loader takes: *.pb.js and *.pb.ts directly in
// the hooks dir.
var hookFilePattern = regexp.MustCompile(`^.*(\.pb\.js|\.pb\.ts)$`)

type hookFile struct {
	name, path string
	from       string // Embedded, or the folder it was read from
	content    []byte
}

// hookFiles reads the hook files of dir sorted by name (byte order). A
// missing dir has none.
func hookFiles(dir string) ([]hookFile, error) {
	entries, err := os.ReadDir(dir) // sorted by file name
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var files []hookFile
	for _, e := range entries {
		if e.IsDir() || !hookFilePattern.MatchString(e.Name()) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		raw, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		files = append(files, hookFile{name: e.Name(), path: path, from: dir, content: raw})
	}
	slices.SortFunc(files, func(a, b hookFile) int { return strings.Compare(a.name, b.name) })
	return files, nil
}

// loaderState is what the loader runtime shares with its bound functions.
type loaderState struct {
	requireRegistry *require.Registry
	templates       *hookTemplates
}

// load reads the hook files (the shipped ones and the folder's) in order
// and runs them in one loader runtime, whose on*, routerAdd, routerUse and
// cronAdd bind handlers to the app.
func (en *engine) load() error {
	dir, err := filepath.Abs(en.cfg.HooksDir)
	if err != nil {
		return err
	}
	en.dir = dir
	if real, err := filepath.EvalSymlinks(dir); err == nil && real != dir {
		en.realDir = real
	}
	en.shipped = shippedFS(en.app)
	shipped, err := shippedHookFiles(en.shipped)
	if err != nil {
		return fmt.Errorf("hooks: the shipped hooks: %w", err)
	}
	folder, err := hookFiles(dir)
	if err != nil {
		return fmt.Errorf("hooks: %w", err)
	}
	en.addTypesReference(folder)
	files := mergeHookFiles(shipped, folder)
	en.loaded = make([]Source, len(files))
	for i, f := range files {
		en.loaded[i] = Source{Name: f.name, From: f.from}
	}
	if en.cfg.HooksWatch {
		if err := en.watch(); err != nil {
			en.app.Logger().Warn("Hooks: cannot watch the hooks dir", "dir", dir, "error", err)
		}
	}
	if len(files) == 0 {
		return nil // no runtime is needed
	}

	en.loader = &loaderState{
		requireRegistry: require.NewRegistry(require.WithLoader(en.requireSource)),
		templates:       &hookTemplates{Registry: template.NewRegistry(), en: en},
	}
	en.pool = newPool(en, en.cfg.HooksPoolSize, en.newRuntime)

	en.app.OnServe().BindFunc(func(e *core.ServeEvent) error {
		e.Router.BindFunc(normalizeServeExceptions)
		return e.Next()
	})

	loader := en.newRuntime()
	en.bindHooks(loader)
	en.bindRouter(loader)
	for _, f := range files {
		en.sources.Store(f.path, string(f.content))
		if err := runScript(loader, f.path, string(f.content)); err != nil {
			err = fmt.Errorf("hooks: %s: %w", f.name, err)
			if !en.cfg.HooksWatch {
				return err
			}
			en.app.Logger().Error(err.Error()) // fix the file: the watcher restarts
		}
	}
	return nil
}

func runScript(vm *goja.Runtime, path, content string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	_, err = vm.RunScript(path, content)
	return err
}

// newRuntime builds a runtime with what PocketBase gives its hook runtimes
// and `$crm`.
func (en *engine) newRuntime() *goja.Runtime {
	vm := goja.New()
	en.loader.requireRegistry.Enable(vm)
	console.Enable(vm)
	process.Enable(vm)
	buffer.Enable(vm)

	jsvm.BindCore(vm)
	jsvm.BindDbx(vm)
	jsvm.BindSecurity(vm)
	jsvm.BindOS(vm)
	jsvm.BindFilepath(vm)
	jsvm.BindHTTP(vm)
	jsvm.BindFilesystem(vm)
	jsvm.BindForms(vm)
	jsvm.BindMails(vm)
	jsvm.BindApis(vm)

	vm.Set("$app", en.app)
	vm.Set("$template", en.loader.templates)
	vm.Set("__hooks", en.dir)
	en.bindMiddleware(vm)
	en.bindCron(vm)
	en.bindCRM(vm)
	return vm
}

// handler is a compiled JavaScript function and where it was written.
type handler struct {
	program *goja.Program // evaluates to the function a runtime calls
	event   bool          // an event hook: `$app` is the event's app meanwhile
	kind    string        // "onRecordCreate", "routerAdd GET /x", "sender whatsapp" ...
	file    string        // relative to the hooks dir when inside it
	line    int
}

// Program shapes: fn is the handler's source, placed at its own line. Each
// evaluates to the function a runtime calls; a pooled runtime makes it once
// and keeps it (runtime.fn), so a call runs the handler and nothing else.
// An event hook's fn may name the event `e` without declaring it, as under
// PocketBase's loader.
const (
	hookProgram  = "(() => { let e; const h = (%s); return (ev) => { e = ev; try { return h(ev) } finally { e = undefined } } })()"
	plainProgram = "(%s)"
)

// compile compiles fn (a function, or its source) into shape, under the
// path and at the line where it is written. The place is found from the
// caller: the first JavaScript frame of vm's stack names the file and the
// line of the registering call, and the function's source is looked up in
// that file, nearest that line.
func (en *engine) compile(vm *goja.Runtime, kind string, fn goja.Value, shape string) *handler {
	if fn == nil || goja.IsUndefined(fn) || goja.IsNull(fn) {
		panic(vm.NewTypeError("%s: a handler function is required", kind))
	}
	src := fn.String()
	path, line, col := "", 0, 0
	for _, f := range vm.CaptureCallStack(0, nil) {
		if name := f.SrcName(); name != "" && name != "<native>" {
			path, line = name, f.Position().Line
			break
		}
	}
	if content, ok := en.source(path); ok {
		if l, c, found := locate(content, src, line); found {
			line, col = l, c
		}
	}
	padded := src
	if line > 1 {
		// The shape's prefix is on line 1: newlines and spaces put the
		// function where it is in its file.
		padded = strings.Repeat("\n", line-1) + strings.Repeat(" ", max(col-1, 0)) + src
	}
	if path == "" {
		path = "hook.js"
	}
	program, err := goja.Compile(path, fmt.Sprintf(shape, padded), true)
	if err != nil {
		panic(vm.NewGoError(fmt.Errorf("%s: %w", kind, err)))
	}
	return &handler{program: program, event: shape == hookProgram, kind: kind, file: en.rel(path), line: line}
}

// source is the content of a file the loader ran, or of another file
// (a module that registers handlers) read now.
func (en *engine) source(path string) (string, bool) {
	if path == "" {
		return "", false
	}
	if v, ok := en.sources.Load(path); ok {
		return v.(string), true
	}
	raw, err := en.readHookPath(path)
	if err != nil {
		return "", false
	}
	en.sources.Store(path, string(raw))
	return string(raw), true
}

// locate finds src in content, the occurrence nearest line, and returns
// its line and column (from 1).
func locate(content, src string, line int) (int, int, bool) {
	if src == "" {
		return 0, 0, false
	}
	best, bestLine, bestCol := -1, 0, 0
	for from := 0; ; {
		i := strings.Index(content[from:], src)
		if i < 0 {
			break
		}
		at := from + i
		l := strings.Count(content[:at], "\n") + 1
		c := at - strings.LastIndex(content[:at], "\n")
		if d := abs(l - line); best < 0 || d < best {
			best, bestLine, bestCol = d, l, c
		}
		from = at + 1
	}
	return bestLine, bestCol, best >= 0
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// rel names path relative to the hooks dir when it is inside it.
func (en *engine) rel(path string) string {
	if r, err := filepath.Rel(en.dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}

// exec runs h on vm with args; app, when not nil, is `$app` meanwhile.
func (en *engine) exec(vm *goja.Runtime, h *handler, app core.App, args ...any) error {
	_, err := en.call(vm, h, app, args...)
	return err
}

// call is exec that also returns what the handler returned.
func (en *engine) call(vm *goja.Runtime, h *handler, app core.App, args ...any) (goja.Value, error) {
	rt := en.pool.runtimeOf(vm)
	fn, err := rt.fn(vm, h)
	if err != nil {
		en.report(h, err)
		return nil, normalizeException(err)
	}
	if h.event && len(args) > 0 {
		app = eventApp(args[0])
	}
	values := make([]goja.Value, len(args))
	for i, a := range args {
		values[i] = vm.ToValue(a)
	}
	restore := rt.setApp(vm, app, h.event)
	res, err := fn(goja.Undefined(), values...)
	restore()

	if resErr := en.returnedError(res); resErr != nil {
		return nil, resErr
	}
	if err != nil {
		en.report(h, err)
		return nil, normalizeException(err)
	}
	return res, nil
}

// returnedError: a handler may return an error instead of throwing it.
func (en *engine) returnedError(value goja.Value) error {
	if value == nil {
		return nil
	}
	switch v := value.Export().(type) {
	case error:
		return v
	case *goja.Promise:
		en.app.Logger().Warn("Hooks: a handler must not be async nor return a Promise")
		if err, ok := v.Result().Export().(error); ok {
			return normalizeException(err)
		}
	}
	return nil
}

// normalizeException returns the Go error a JavaScript exception carries
// (an ApiError, a validation error...), or the exception itself.
func normalizeException(err error) error {
	var ex *goja.Exception
	if !errors.As(err, &ex) {
		return err
	}
	switch v := ex.Value().Export().(type) {
	case error:
		return v
	case map[string]any: // a GoError
		if inner, ok := v["value"].(error); ok {
			return inner
		}
	}
	return err
}

// normalizeServeExceptions turns what a route handler threw into its Go
// error, so that an ApiError keeps its status.
func normalizeServeExceptions(e *core.RequestEvent) error {
	err := e.Next()
	if err == nil || e.Written() {
		return err
	}
	return normalizeException(err)
}

// bindHooks binds every app.On* hook (but OnServe: use routerAdd) on the
// loader, as PocketBase does: onRecordCreate(handler, ...tags).
func (en *engine) bindHooks(loader *goja.Runtime) {
	appType := reflect.TypeOf(en.app)
	appValue := reflect.ValueOf(en.app)
	for i := 0; i < appType.NumMethod(); i++ {
		method := appType.Method(i)
		if !strings.HasPrefix(method.Name, "On") || method.Name == "OnServe" {
			continue
		}
		jsName := jsvm.FieldMapper{}.MethodName(appType, method)
		goName := method.Name
		loader.Set(jsName, func(call goja.FunctionCall) goja.Value {
			h := en.compile(loader, jsName, call.Argument(0), hookProgram)
			var tags []reflect.Value
			for _, a := range call.Arguments[min(1, len(call.Arguments)):] {
				tags = append(tags, reflect.ValueOf(a.String()))
			}
			hookValue := appValue.MethodByName(goName).Call(tags)[0]
			bind := hookValue.MethodByName("BindFunc")
			fn := reflect.MakeFunc(bind.Type().In(0), func(args []reflect.Value) []reflect.Value {
				handlerArgs := make([]any, len(args))
				for i, a := range args {
					handlerArgs[i] = a.Interface()
				}
				err := en.pool.run(func(vm *goja.Runtime) error { return en.exec(vm, h, nil, handlerArgs...) })
				return []reflect.Value{reflect.ValueOf(&err).Elem()}
			})
			bind.Call([]reflect.Value{fn})
			return goja.Undefined()
		})
	}
}

// bindRouter binds routerAdd(method, path, handler, ...middlewares) and
// routerUse(...middlewares) on the loader.
func (en *engine) bindRouter(loader *goja.Runtime) {
	loader.Set("routerAdd", func(call goja.FunctionCall) goja.Value {
		method := strings.ToUpper(call.Argument(0).String())
		path := call.Argument(1).String()
		kind := "routerAdd " + method + " " + path
		handle := en.wrapHandler(loader, kind, call.Argument(2))
		var raw []goja.Value
		if len(call.Arguments) > 3 {
			raw = call.Arguments[3:]
		}
		middlewares := en.wrapMiddlewares(loader, kind, raw)
		en.app.OnServe().BindFunc(func(e *core.ServeEvent) error {
			e.Router.Route(method, path, handle).Bind(middlewares...)
			return e.Next()
		})
		return goja.Undefined()
	})
	loader.Set("routerUse", func(call goja.FunctionCall) goja.Value {
		middlewares := en.wrapMiddlewares(loader, "routerUse", call.Arguments)
		en.app.OnServe().BindFunc(func(e *core.ServeEvent) error {
			e.Router.Bind(middlewares...)
			return e.Next()
		})
		return goja.Undefined()
	})
}

func (en *engine) requestFunc(h *handler) func(e *core.RequestEvent) error {
	return func(e *core.RequestEvent) error {
		return en.pool.run(func(vm *goja.Runtime) error { return en.exec(vm, h, e.App, e) })
	}
}

func (en *engine) wrapHandler(vm *goja.Runtime, kind string, v goja.Value) func(*core.RequestEvent) error {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		panic(vm.NewTypeError("%s: a handler is required", kind))
	}
	switch fn := v.Export().(type) {
	case func(*core.RequestEvent) error: // a Go handler, like $apis.static(...)
		return fn
	case func(goja.FunctionCall) goja.Value, string:
		return en.requestFunc(en.compile(vm, kind, v, plainProgram))
	}
	panic(vm.NewTypeError("%s: unsupported handler", kind))
}

// jsMiddleware is what `new Middleware(fn, priority, id)` makes.
type jsMiddleware struct {
	h        *handler
	priority int
	id       string
}

func (en *engine) bindMiddleware(vm *goja.Runtime) {
	vm.Set("Middleware", func(call goja.ConstructorCall) *goja.Object {
		m := &jsMiddleware{
			h:        en.compile(vm, "Middleware", call.Argument(0), plainProgram),
			priority: cast.ToInt(call.Argument(1).Export()),
			id:       cast.ToString(call.Argument(2).Export()),
		}
		obj := vm.ToValue(m).(*goja.Object)
		obj.SetPrototype(call.This.Prototype())
		return obj
	})
}

func (en *engine) wrapMiddlewares(vm *goja.Runtime, kind string, raw []goja.Value) []*hook.Handler[*core.RequestEvent] {
	out := make([]*hook.Handler[*core.RequestEvent], len(raw))
	for i, m := range raw {
		if m == nil || goja.IsUndefined(m) || goja.IsNull(m) {
			panic(vm.NewTypeError("%s: a middleware is missing", kind))
		}
		switch v := m.Export().(type) {
		case *hook.Handler[*core.RequestEvent]: // $apis.requireAuth() and the like
			out[i] = v
		case func(*core.RequestEvent) error:
			out[i] = &hook.Handler[*core.RequestEvent]{Func: v}
		case *jsMiddleware:
			v.h.kind = kind + " middleware"
			out[i] = &hook.Handler[*core.RequestEvent]{Id: v.id, Priority: v.priority, Func: en.requestFunc(v.h)}
		case func(goja.FunctionCall) goja.Value, string:
			out[i] = &hook.Handler[*core.RequestEvent]{Func: en.requestFunc(en.compile(vm, kind+" middleware", m, plainProgram))}
		default:
			panic(vm.NewTypeError("%s: unsupported middleware", kind))
		}
	}
	return out
}

// bindCron binds cronAdd(id, expr, handler) and cronRemove(id) on every
// runtime, as PocketBase does. Jobs run only under `serve`.
func (en *engine) bindCron(vm *goja.Runtime) {
	vm.Set("cronAdd", func(call goja.FunctionCall) goja.Value {
		id, expr := call.Argument(0).String(), call.Argument(1).String()
		h := en.compile(vm, "cronAdd "+id, call.Argument(2), plainProgram)
		err := en.app.Cron().Add(id, expr, func() {
			// exec reports a failure with its place.
			_ = en.pool.run(func(vm *goja.Runtime) error { return en.exec(vm, h, nil) })
		})
		if err != nil {
			panic(vm.NewGoError(fmt.Errorf("cronAdd %s: %w", id, err)))
		}
		return goja.Undefined()
	})
	vm.Set("cronRemove", func(id string) { en.app.Cron().Remove(id) })
}

// addTypesReference starts an empty hook file with references to
// PocketBase's types and `$crm`'s, as PocketBase does for its own.
func (en *engine) addTypesReference(files []hookFile) {
	for _, f := range files {
		if len(f.content) != 0 {
			continue
		}
		pbTypes, err := filepath.Rel(en.dir, filepath.Join(en.app.DataDir(), "types.d.ts"))
		if err != nil {
			pbTypes = filepath.Join(en.app.DataDir(), "types.d.ts")
		}
		text := fmt.Sprintf("/// <reference path=%q />\n/// <reference path=\"types/crm.d.ts\" />\n\n", filepath.ToSlash(pbTypes))
		if err := os.WriteFile(f.path, []byte(text), 0o644); err != nil {
			en.app.Logger().Warn("Hooks: cannot add the types reference", "file", f.name, "error", err)
		}
	}
}
