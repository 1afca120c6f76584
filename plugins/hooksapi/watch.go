package hooksapi

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/pocketbase/pocketbase/core"
)

// watch restarts the app when a file under the hooks dir changes
// (hooks.watch, development only), as PocketBase's loader does: hooks are
// compiled at start, so a change needs a new process.
func (en *engine) watch() error {
	dir := en.dir
	if info, err := os.Lstat(dir); err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	} else if info.Mode()&os.ModeSymlink != 0 {
		if dir, err = filepath.EvalSymlinks(dir); err != nil {
			return err
		}
	}
	watcher, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if path != dir && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		return watcher.Add(path)
	})
	if err != nil {
		watcher.Close()
		return err
	}
	en.app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		watcher.Close()
		return e.Next()
	})
	go func() {
		var debounce *time.Timer
		for {
			select {
			case event, ok := <-watcher.Events:
				if !ok {
					return
				}
				if debounce != nil {
					debounce.Stop()
				}
				debounce = time.AfterFunc(50*time.Millisecond, func() {
					if runtime.GOOS == "windows" {
						en.app.Logger().Warn("Hooks: a file changed; restart Vinculo to load it", "file", event.Name)
						return
					}
					en.app.Logger().Info("Hooks: a file changed, restarting", "file", event.Name)
					if err := en.app.Restart(); err != nil {
						en.app.Logger().Error("Hooks: restart failed", "error", err)
					}
				})
			case err, ok := <-watcher.Errors:
				if !ok {
					return
				}
				en.app.Logger().Warn("Hooks: watch error", "error", err)
			}
		}
	}()
	return nil
}
