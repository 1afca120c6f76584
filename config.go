package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cast"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"vinculo/crm"
)

// Configuration is read, lowest first, from: the defaults (crm.Settings) <
// vinculo.yaml (the working dir, then the data dir, or the file named by
// --config) < VINCULO_* environment variables < command-line flags. The keys,
// their defaults and how each value is parsed and checked are crm.Settings;
// this file finds the values and says where each came from.

// setting is a row of crm.Settings, with its key and flag also under the
// lower-case names this package's code and tests (readme_test.go) use.
type setting struct {
	crm.Setting
	key, flag string
}

// envName is the environment variable of a key: hooks.pool_size -> VINCULO_HOOKS_POOL_SIZE.
func (s setting) envName() string {
	return "VINCULO_" + strings.ToUpper(strings.NewReplacer(".", "_", "-", "_").Replace(s.key))
}

var settings = func() []setting {
	rows := make([]setting, len(crm.Settings))
	for i, s := range crm.Settings {
		rows[i] = setting{Setting: s, key: s.Key, flag: s.Flag}
	}
	return rows
}()

// isSetting says whether key is a configuration key.
func isSetting(key string) bool {
	return slices.ContainsFunc(settings, func(s setting) bool { return s.key == key })
}

// configReport says where each effective value came from, for `vinculo config`.
type configReport struct {
	file    string // the vinculo.yaml in use, or ""
	values  map[string]any
	sources map[string]string
}

// configError stops the program with exit code 2.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

func badConfig(format string, args ...any) error {
	return &configError{fmt.Sprintf(format, args...)}
}

// loadConfig reads the configuration from args (without the program name) and
// environ; it touches no global state, so tests can call it freely.
func loadConfig(args, environ []string) (*crm.Config, *configReport, error) {
	flags, configFlag, err := parseConfigFlags(args)
	if err != nil {
		return nil, nil, err
	}
	env, err := configEnviron(environ)
	if err != nil {
		return nil, nil, err
	}
	file, fileValues, err := readConfigFile(*configFlag, env, flags)
	if err != nil {
		return nil, nil, err
	}

	values := map[string]crm.Value{}
	for _, s := range settings {
		v := crm.Value{Raw: s.Default, Source: "default"}
		if fileValues.IsSet(s.key) {
			v = crm.Value{Raw: fileValues.Get(s.key), Source: file}
		}
		if val, ok := env[s.envName()]; ok {
			v = crm.Value{Raw: val, Source: "environment " + s.envName()}
		}
		if f := flags.Lookup(s.flag); f.Changed {
			v = crm.Value{Raw: f.Value.String(), Source: "flag --" + s.flag}
		}
		values[s.key] = v
	}
	cfg, err := crm.ReadConfig(values)
	if err != nil {
		return nil, nil, badConfig("%v", err)
	}

	report := &configReport{file: file, values: map[string]any{}, sources: map[string]string{}}
	for _, s := range settings {
		report.values[s.key] = s.Shown(cfg, values[s.key].Raw)
		report.sources[s.key] = values[s.key].Source
	}
	return cfg, report, nil
}

// parseConfigFlags finds the configuration flags among every other argument.
func parseConfigFlags(args []string) (*pflag.FlagSet, *string, error) {
	flags := pflag.NewFlagSet("vinculo", pflag.ContinueOnError)
	flags.ParseErrorsAllowlist.UnknownFlags = true
	flags.SetOutput(io.Discard)
	flags.Usage = func() {}
	configFlag := flags.String("config", "", "")
	flags.BoolP("help", "h", false, "") // cobra answers --help; here it is only skipped
	for _, s := range settings {
		f := flags.VarPF(&rawValue{}, s.flag, "", "")
		if s.IsBool() {
			f.NoOptDefVal = "true"
		}
	}
	if err := flags.Parse(args); err != nil {
		return nil, nil, badConfig("command line: %v", err)
	}
	return flags, configFlag, nil
}

// configEnviron is the VINCULO_* variables of environ; an unknown one is an error.
func configEnviron(environ []string) (map[string]string, error) {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(k, "VINCULO_") {
			env[k] = v
		}
	}
	for k := range env {
		if k != "VINCULO_CONFIG" && k != debugAddrEnv && !slices.ContainsFunc(settings, func(s setting) bool { return s.envName() == k }) {
			return nil, badConfig("environment: unknown variable %s (see `vinculo config --help`)", k)
		}
	}
	return env, nil
}

// readConfigFile reads the config file: named explicitly, or found in the
// working dir, then the data dir. It returns the file's name ("" for none)
// and its values.
func readConfigFile(named string, env map[string]string, flags *pflag.FlagSet) (string, *viper.Viper, error) {
	file, namedBy := named, " (named by --config)"
	if file == "" {
		file, namedBy = env["VINCULO_CONFIG"], " (named by VINCULO_CONFIG)"
	}
	if file == "" {
		file, namedBy = findConfigFile(dataDir(env, flags)), ""
	}
	fileValues := viper.New()
	if file == "" {
		return "", fileValues, nil
	}
	fileValues.SetConfigFile(file)
	fileValues.SetConfigType("yaml")
	if err := fileValues.ReadInConfig(); err != nil {
		return "", nil, badConfig("%s: cannot read the configuration file%s: %v", file, namedBy, unwrapAll(err))
	}
	for _, key := range fileValues.AllKeys() {
		isEmptySection := fileValues.Get(key) == nil && slices.ContainsFunc(settings, func(s setting) bool { return strings.HasPrefix(s.key, key+".") })
		if !isEmptySection && !isSetting(key) {
			return "", nil, badConfig("%s: unknown key %q (run `vinculo config` to see every key)", file, key)
		}
	}
	return file, fileValues, nil
}

// dataDir is the data dir named by --dir, VINCULO_DATA_DIR or the default,
// where vinculo.yaml is looked for.
func dataDir(env map[string]string, flags *pflag.FlagSet) string {
	if f := flags.Lookup("dir"); f.Changed {
		return f.Value.String()
	}
	if dir, ok := env["VINCULO_DATA_DIR"]; ok {
		return dir
	}
	return crm.DefaultConfig().DataDir
}

// findConfigFile is the vinculo.yaml of the working dir, else of the data dir, or "".
func findConfigFile(dataDir string) string {
	for _, candidate := range []string{"vinculo.yaml", filepath.Join(dataDir, "vinculo.yaml")} {
		if _, err := os.Stat(candidate); err == nil {
			return candidate
		}
	}
	return ""
}

// rawValue keeps a flag's text as given; loadConfig converts and checks it.
type rawValue struct{ s string }

func (r *rawValue) String() string     { return r.s }
func (r *rawValue) Set(s string) error { r.s = s; return nil }
func (r *rawValue) Type() string       { return "string" }

func unwrapAll(err error) error {
	for errors.Unwrap(err) != nil {
		err = errors.Unwrap(err)
	}
	return err
}

// addConfigFlags declares the configuration flags on the root command, so that
// every command accepts them and --help lists them. Their values were already
// read by loadConfig.
func addConfigFlags(root *cobra.Command) {
	pf := root.PersistentFlags()
	pf.String("config", "", "configuration file (default: ./vinculo.yaml, then <data_dir>/vinculo.yaml)")
	for _, s := range settings {
		if pf.Lookup(s.flag) != nil || s.flag == "http" {
			continue // --dir belongs to PocketBase, --http to serve
		}
		f := pf.VarPF(&rawValue{}, s.flag, "", s.Help+" ["+s.envName()+"]")
		if s.IsBool() {
			f.NoOptDefVal = "true"
		}
	}
}

// configCommand is `vinculo config`: the effective configuration and the
// source of every value, secrets masked.
func configCommand(report *configReport) *cobra.Command {
	return &cobra.Command{
		Use:   "config",
		Short: "Prints the effective configuration and where each value came from",
		Long: "Prints the effective configuration and where each value came from.\n\n" +
			"Each key is set, lowest first, by its default, vinculo.yaml, a VINCULO_* environment\n" +
			"variable or a command-line flag:\n\n" + settingsTable(),
		Args: cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			report.print(cmd.OutOrStdout())
		},
	}
}

func settingsTable() string {
	var b strings.Builder
	for _, s := range settings {
		fmt.Fprintf(&b, "  %-20s --%-20s %-28s %s\n", s.key, s.flag, s.envName(), s.Help)
	}
	return b.String()
}

func (r *configReport) print(w io.Writer) {
	if r.file != "" {
		fmt.Fprintf(w, "# configuration file: %s\n", r.file)
	} else {
		fmt.Fprintln(w, "# configuration file: none (looked for ./vinculo.yaml and <data_dir>/vinculo.yaml)")
	}
	keys := make([]string, 0, len(settings))
	for _, s := range settings {
		keys = append(keys, s.key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		val := cast.ToString(r.values[key])
		if list, ok := r.values[key].([]string); ok {
			val = strings.Join(list, ",")
		}
		for _, s := range settings {
			if s.key == key && s.Secret && val != "" {
				val = "********"
			}
		}
		fmt.Fprintf(w, "%-20s = %-40q # %s\n", key, val, r.sources[key])
	}
}
