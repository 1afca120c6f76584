// Package importer imports contacts and companies from CSV files (comma,
// semicolon or tab; UTF-8 with or without BOM or Windows-1252; the exports of
// Google Contacts, Outlook and HubSpot recognised, or a column mapping) and
// vCard 3.0/4.0 files: phones to E.164, emails checked, duplicates matched
// against the database and within the file, as a dry run, all or nothing, or
// only the valid rows. Jobs run in the background, one at a time, and report
// their progress in realtime (import_jobs); `vinculo import` runs the same
// engine from the command line.
package importer

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"

	"vinculo/crm"
	"vinculo/crm/guard"
)

// MaxUpload bounds an uploaded file: a million contacts are about 150 MB.
const MaxUpload = 2 << 30

// Register adds the import routes and, when the server starts, fails the
// jobs a stopped server left and removes their uploads.
func Register(app core.App, cfg *crm.Config) error {
	ctx, cancel := context.WithCancel(context.Background())
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		if err := failInterrupted(se.App, cfg); err != nil {
			return err
		}
		if err := dropLeftKeyTables(se.App); err != nil {
			return err
		}
		g := se.Router.Group("/api/crm/import")
		g.POST("", func(e *core.RequestEvent) error { return handleStart(e, cfg, ctx) }).
			Bind(apis.BodyLimit(MaxUpload), guard.Writer())
		g.GET("/{job}/errors.csv", func(e *core.RequestEvent) error { return handleErrors(e, cfg) }).
			Bind(guard.Staff())
		return se.Next()
	})
	app.OnTerminate().BindFunc(func(e *core.TerminateEvent) error {
		cancel()
		Wait(e.App)
		return e.Next()
	})
	return nil
}

func badField(e *core.RequestEvent, field, msg string) error {
	return e.BadRequestError(msg, validation.Errors{field: validation.NewError("validation_import_"+field, msg)})
}

func formValue(e *core.RequestEvent, name, fallback string) string {
	if v := e.Request.FormValue(name); v != "" {
		return v
	}
	return fallback
}

// handleStart: POST /api/crm/import (multipart: file, kind, mode,
// on_duplicate, mapping, preset) -> 202 {"job": id}. Managers, agents and
// superusers import; the job names the staff member who started it.
func handleStart(e *core.RequestEvent, cfg *crm.Config, ctx context.Context) error {
	staff := e.Auth.Id
	if e.Auth.IsSuperuser() {
		staff = ""
	}
	if err := e.Request.ParseMultipartForm(8 << 20); err != nil {
		return badField(e, "file", "Send the file as multipart/form-data in the field \"file\".")
	}
	defer e.Request.MultipartForm.RemoveAll()
	opts := Options{
		Kind:        formValue(e, "kind", KindContacts),
		Mode:        formValue(e, "mode", ModeDryRun),
		OnDuplicate: formValue(e, "on_duplicate", DupSkip),
	}
	switch {
	case !slices.Contains(Kinds, opts.Kind):
		return badField(e, "kind", "kind must be contacts, companies or orders.")
	case !slices.Contains(Modes, opts.Mode):
		return badField(e, "mode", "mode must be dry_run, all_or_nothing or valid_only.")
	case !slices.Contains(OnDuplicates, opts.OnDuplicate):
		return badField(e, "on_duplicate", "on_duplicate must be skip, fill, overwrite or create.")
	}
	if id := e.Request.FormValue("preset"); id != "" {
		preset, err := e.App.FindRecordById(crm.ImportPresets, id)
		if err != nil {
			return badField(e, "preset", "There is no such preset.")
		}
		if preset.GetString("kind") != opts.Kind {
			return badField(e, "preset", "This preset maps "+preset.GetString("kind")+", not "+opts.Kind+".")
		}
		if err := json.Unmarshal([]byte(preset.GetString("mapping")), &opts.Mapping); err != nil {
			return badField(e, "preset", "The preset's mapping is not a JSON object of column names to fields.")
		}
	}
	if raw := e.Request.FormValue("mapping"); raw != "" {
		opts.Mapping = nil
		if err := json.Unmarshal([]byte(raw), &opts.Mapping); err != nil {
			return badField(e, "mapping", "mapping must be a JSON object of column names to fields, like {\"E-mail\": \"email\"}.")
		}
	}
	if err := CheckMapping(opts.Kind, opts.Mapping); err != nil {
		return badField(e, "mapping", err.Error())
	}
	file, header, err := e.Request.FormFile("file")
	if err != nil {
		return badField(e, "file", "Attach the file to import in the field \"file\".")
	}
	defer file.Close()

	job, err := NewJob(e.App, opts, header.Filename, staff)
	if err != nil {
		return err
	}
	path := uploadPath(cfg, job.Id)
	if err := saveUpload(path, file); err != nil {
		finish(e.App, job, nil, err)
		return e.InternalServerError("The file could not be stored.", err)
	}
	app := e.App
	r := runnerOf(app)
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if _, err := RunJob(ctx, app, cfg, job, path, opts, true); err != nil {
			app.Logger().Info("import failed", "job", job.Id, "error", err)
		}
	}()
	return e.JSON(http.StatusAccepted, map[string]string{"job": job.Id})
}

// saveUpload streams the upload to the job's own temp copy.
func saveUpload(path string, src io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, src); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

// handleErrors: GET /api/crm/import/{job}/errors.csv, the job's full error
// list (line, field, value, reason).
func handleErrors(e *core.RequestEvent, cfg *crm.Config) error {
	job, err := e.App.FindRecordById(crm.ImportJobs, e.Request.PathValue("job"))
	if err != nil {
		return e.NotFoundError("There is no such import.", nil)
	}
	e.Response.Header().Set("Content-Type", "text/csv; charset=utf-8")
	e.Response.Header().Set("Content-Disposition", `attachment; filename="import-`+job.Id+`-errors.csv"`)
	f, err := os.Open(ErrorsPath(cfg, job.Id))
	if errors.Is(err, os.ErrNotExist) {
		e.Response.WriteHeader(http.StatusOK)
		_, err = io.WriteString(e.Response, "line,field,value,reason\n")
		return err
	}
	if err != nil {
		return e.InternalServerError("The error list could not be read.", err)
	}
	defer f.Close()
	e.Response.WriteHeader(http.StatusOK)
	_, err = io.Copy(e.Response, f)
	return err
}
