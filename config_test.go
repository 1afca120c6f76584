package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"vinculo/crm"
)

// inTempDir makes a fresh, empty working directory for the test, so that no
// vinculo.yaml of the developer's is found, and writes the given files into
// it (path relative to the working dir -> content).
func inTempDir(t *testing.T, files map[string]string) {
	t.Helper()
	t.Chdir(t.TempDir())
	for path, content := range files {
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func mustLoad(t *testing.T, args, environ []string) (*crm.Config, *configReport) {
	t.Helper()
	cfg, report, err := loadConfig(args, environ)
	if err != nil {
		t.Fatalf("loadConfig(%q, %q): %v", args, environ, err)
	}
	return cfg, report
}

func TestLoadConfigDefaults(t *testing.T) {
	inTempDir(t, nil)
	// Variables without the VINCULO_ prefix and malformed entries are ignored.
	cfg, report := mustLoad(t, nil, []string{"PATH=/bin", "VINCULOX=1", "NO_EQUALS_SIGN"})

	if report.file != "" {
		t.Errorf("report.file = %q, want none", report.file)
	}
	for _, s := range settings {
		if got := report.sources[s.key]; got != "default" {
			t.Errorf("source of %s = %q, want \"default\"", s.key, got)
		}
	}

	host, _, err := net.SplitHostPort(cfg.HTTP)
	if err != nil || !net.ParseIP(host).IsLoopback() {
		t.Errorf("default http = %q: the server must listen only on loopback", cfg.HTTP)
	}
	want := &crm.Config{
		HTTP:          "127.0.0.1:8090",
		DataDir:       "./vinculo_data",
		PublicURL:     "http://127.0.0.1:8090",
		HooksDir:      "./hooks",
		HooksPoolSize: crm.DefaultPoolSize(),
		MigrationsDir: "./pb_migrations",
		RateLimits:    true,
		FollowUps:     true,
		FollowUpDays:  2,
		MailDir:       filepath.Join("vinculo_data", "mail"),
		ErasureDays:   15,
		Business: crm.Business{
			Name:     "Vinculo",
			Country:  "BR",
			Language: "pt-BR",
			Timezone: "America/Sao_Paulo",
			Hours:    mustHours(t, "mon-fri 09:00-18:00"),
			Holidays: []string{},
			Color:    "#1f6feb",
			Currency: "BRL",
		},
		Portal:      crm.Portal{SubscriptionActions: []string{"pause", "resume", "cancel"}},
		SMTP:        crm.SMTP{Port: 587, SenderName: "Vinculo"},
		Automations: crm.Automations{NotifyOwner: true, RatingRequest: true, RatingPage: true, HoldMarketing: true},
		Webhooks:    crm.Webhooks{Events: crm.DefaultWebhookEvents},
		Replication: crm.Replication{SyncSeconds: 1},
		Mail:        crm.Mail{Inbound: []crm.InboundMailbox{}, PollSeconds: 60},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("default configuration:\n got %+v\nwant %+v", cfg, want)
	}
	if cfg.HooksPoolSize < 8 {
		t.Errorf("default hooks.pool_size = %d, want at least 8", cfg.HooksPoolSize)
	}
}

func mustHours(t *testing.T, s string) crm.WeekHours {
	t.Helper()
	h, err := crm.ParseWeekHours(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// Each layer overrides the ones below it, and the report says which one won.
func TestLoadConfigLayerPrecedence(t *testing.T) {
	type layer struct {
		yaml, env, flag string // how the layer writes the value ("" = not set)
		want            any
	}
	keys := []struct {
		key                 string
		get                 func(*crm.Config) any
		def                 any
		file, envVar, flags layer
	}{
		{
			key: "business.name", get: func(c *crm.Config) any { return c.Business.Name }, def: "Vinculo",
			file:   layer{yaml: "business:\n  name: Padaria do Arquivo\n", want: "Padaria do Arquivo"},
			envVar: layer{env: "Padaria do Ambiente", want: "Padaria do Ambiente"},
			flags:  layer{flag: "--business-name=Padaria da Flag", want: "Padaria da Flag"},
		},
		{
			key: "smtp.port", get: func(c *crm.Config) any { return c.SMTP.Port }, def: 587,
			file:   layer{yaml: "smtp:\n  port: 465\n", want: 465},
			envVar: layer{env: "2525", want: 2525},
			flags:  layer{flag: "--smtp-port=25", want: 25},
		},
		{
			key: "hooks.watch", get: func(c *crm.Config) any { return c.HooksWatch }, def: false,
			file:   layer{yaml: "hooks:\n  watch: true\n", want: true},
			envVar: layer{env: "false", want: false},
			flags:  layer{flag: "--hooks-watch", want: true},
		},
		{
			key: "rate_limits", get: func(c *crm.Config) any { return c.RateLimits }, def: true,
			file:   layer{yaml: "rate_limits: false\n", want: false},
			envVar: layer{env: "true", want: true},
			flags:  layer{flag: "--rate-limits=false", want: false},
		},
		{
			key: "hooks.pool_size", get: func(c *crm.Config) any { return c.HooksPoolSize }, def: crm.DefaultPoolSize(),
			file:   layer{yaml: "hooks:\n  pool_size: 3\n", want: 3},
			envVar: layer{env: "0", want: 0},
			flags:  layer{flag: "--hooks-pool-size=40", want: 40},
		},
		{
			key: "business.holidays", get: func(c *crm.Config) any { return c.Business.Holidays }, def: []string{},
			file:   layer{yaml: "business:\n  holidays: [\"2026-12-25\"]\n", want: []string{"2026-12-25"}},
			envVar: layer{env: "2027-01-01,2027-04-21", want: []string{"2027-01-01", "2027-04-21"}},
			flags:  layer{flag: "--business-holidays=2027-09-07", want: []string{"2027-09-07"}},
		},
		{
			key: "business.hours", get: func(c *crm.Config) any { return c.Business.Hours.String() }, def: "mon 09:00-18:00; tue 09:00-18:00; wed 09:00-18:00; thu 09:00-18:00; fri 09:00-18:00",
			file:   layer{yaml: "business:\n  hours: sat 08:00-12:00\n", want: "sat 08:00-12:00"},
			envVar: layer{env: "sun 10:00-14:00", want: "sun 10:00-14:00"},
			flags:  layer{flag: "--business-hours=mon 07:00-11:00", want: "mon 07:00-11:00"},
		},
		{
			key: "public_url", get: func(c *crm.Config) any { return c.PublicURL }, def: "http://127.0.0.1:8090",
			file:   layer{yaml: "public_url: https://file.example\n", want: "https://file.example"},
			envVar: layer{env: "https://env.example/", want: "https://env.example"},
			flags:  layer{flag: "--public-url=https://flag.example", want: "https://flag.example"},
		},
		{
			key: "http", get: func(c *crm.Config) any { return c.HTTP }, def: "127.0.0.1:8090",
			file:   layer{yaml: "http: 127.0.0.1:8091\n", want: "127.0.0.1:8091"},
			envVar: layer{env: "127.0.0.1:8092", want: "127.0.0.1:8092"},
			flags:  layer{flag: "--http=127.0.0.1:8093", want: "127.0.0.1:8093"},
		},
	}
	for _, k := range keys {
		s := settingByKey(t, k.key)
		steps := []struct {
			name       string
			useFile    bool
			useEnv     bool
			useFlag    bool
			want       any
			wantSource string
		}{
			{"default", false, false, false, k.def, "default"},
			{"file", true, false, false, k.file.want, "vinculo.yaml"},
			{"env", false, true, false, k.envVar.want, "environment " + s.envName()},
			{"flag", false, false, true, k.flags.want, "flag --" + s.flag},
			{"env over file", true, true, false, k.envVar.want, "environment " + s.envName()},
			{"flag over env and file", true, true, true, k.flags.want, "flag --" + s.flag},
		}
		for _, step := range steps {
			t.Run(k.key+"/"+step.name, func(t *testing.T) {
				files := map[string]string{}
				if step.useFile {
					files["vinculo.yaml"] = k.file.yaml
				}
				inTempDir(t, files)
				var args, environ []string
				if step.useEnv {
					environ = append(environ, s.envName()+"="+k.envVar.env)
				}
				if step.useFlag {
					args = append(args, k.flags.flag)
				}
				cfg, report := mustLoad(t, args, environ)
				if got := k.get(cfg); !reflect.DeepEqual(got, step.want) {
					t.Errorf("%s = %#v, want %#v", k.key, got, step.want)
				}
				if got := report.sources[k.key]; got != step.wantSource {
					t.Errorf("source of %s = %q, want %q", k.key, got, step.wantSource)
				}
				if got := report.sources["business.country"]; got != "default" {
					t.Errorf("source of an untouched key = %q, want \"default\"", got)
				}
			})
		}
	}
}

func settingByKey(t *testing.T, key string) setting {
	t.Helper()
	for _, s := range settings {
		if s.key == key {
			return s
		}
	}
	t.Fatalf("no setting %q", key)
	return setting{}
}

// Flags are found wherever they stand among the command, its own flags and
// PocketBase's flags, in every form pflag accepts.
func TestLoadConfigFlagsAmongOtherArguments(t *testing.T) {
	tests := []struct {
		args     []string
		wantName string
		wantPort int
	}{
		{[]string{"serve", "--business-name", "A", "--smtp-port", "2525"}, "A", 2525},
		{[]string{"--dev", "--business-name=B", "serve", "--encryptionEnv", "KEY", "--smtp-port=26"}, "B", 26},
		{[]string{"demo", "--contacts", "5", "--business-name", "C"}, "C", 587},
		{[]string{"superuser", "create", "a@b.example", "pw", "--business-name", "D"}, "D", 587},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			inTempDir(t, nil)
			cfg, report := mustLoad(t, tt.args, nil)
			if cfg.Business.Name != tt.wantName || cfg.SMTP.Port != tt.wantPort {
				t.Errorf("business.name, smtp.port = %q, %d; want %q, %d", cfg.Business.Name, cfg.SMTP.Port, tt.wantName, tt.wantPort)
			}
			if got := report.sources["business.name"]; got != "flag --business-name" {
				t.Errorf("source of business.name = %q", got)
			}
		})
	}
}

// Values that depend on others follow them unless set themselves.
func TestLoadConfigDerivedValues(t *testing.T) {
	inTempDir(t, nil)
	cfg, report := mustLoad(t, []string{"--http", "127.0.0.1:9000", "--dir", "data", "--business-name", "Padaria"}, nil)
	if cfg.PublicURL != "http://127.0.0.1:9000" {
		t.Errorf("public_url = %q, want it derived from http", cfg.PublicURL)
	}
	if cfg.MailDir != filepath.Join("data", "mail") {
		t.Errorf("mail_dir = %q, want it inside the data dir", cfg.MailDir)
	}
	if cfg.SMTP.SenderName != "Padaria" {
		t.Errorf("smtp.sender_name = %q, want the business name", cfg.SMTP.SenderName)
	}
	if report.values["public_url"] != cfg.PublicURL || report.values["mail_dir"] != cfg.MailDir {
		t.Errorf("the report shows public_url %v and mail_dir %v, not the effective values", report.values["public_url"], report.values["mail_dir"])
	}

	cfg, _ = mustLoad(t, []string{"--mail-dir", "outbox", "--smtp-sender-name", "Atendimento", "--public-url", "https://crm.example/"}, nil)
	if cfg.MailDir != "outbox" || cfg.SMTP.SenderName != "Atendimento" || cfg.PublicURL != "https://crm.example" {
		t.Errorf("explicit values not kept: mail_dir %q, sender_name %q, public_url %q", cfg.MailDir, cfg.SMTP.SenderName, cfg.PublicURL)
	}
}

// vinculo.yaml is looked for in the working dir, then in the data dir, unless
// --config or VINCULO_CONFIG names the file.
func TestLoadConfigFileDiscovery(t *testing.T) {
	nameFile := func(name string) string { return "business:\n  name: " + name + "\n" }
	tests := []struct {
		name     string
		files    map[string]string
		args     []string
		env      []string
		wantFile string // the file in use, and the source of business.name
		wantName string
	}{
		{
			name:     "working dir",
			files:    map[string]string{"vinculo.yaml": nameFile("wd")},
			wantFile: "vinculo.yaml", wantName: "wd",
		},
		{
			name:     "default data dir",
			files:    map[string]string{"vinculo_data/vinculo.yaml": nameFile("default data dir")},
			wantFile: filepath.Join("vinculo_data", "vinculo.yaml"), wantName: "default data dir",
		},
		{
			name:     "data dir from --dir",
			files:    map[string]string{"d/vinculo.yaml": nameFile("flag data dir"), "vinculo_data/vinculo.yaml": nameFile("default data dir")},
			args:     []string{"--dir", "d"},
			wantFile: filepath.Join("d", "vinculo.yaml"), wantName: "flag data dir",
		},
		{
			name:     "data dir from VINCULO_DATA_DIR",
			files:    map[string]string{"e/vinculo.yaml": nameFile("env data dir")},
			env:      []string{"VINCULO_DATA_DIR=e"},
			wantFile: filepath.Join("e", "vinculo.yaml"), wantName: "env data dir",
		},
		{
			name:     "--dir beats VINCULO_DATA_DIR",
			files:    map[string]string{"e/vinculo.yaml": nameFile("env data dir"), "d/vinculo.yaml": nameFile("flag data dir")},
			args:     []string{"--dir=d"},
			env:      []string{"VINCULO_DATA_DIR=e"},
			wantFile: filepath.Join("d", "vinculo.yaml"), wantName: "flag data dir",
		},
		{
			name:     "working dir before data dir",
			files:    map[string]string{"vinculo.yaml": nameFile("wd"), "d/vinculo.yaml": nameFile("data dir")},
			args:     []string{"--dir", "d"},
			wantFile: "vinculo.yaml", wantName: "wd",
		},
		{
			name:     "--config",
			files:    map[string]string{"vinculo.yaml": nameFile("wd"), "etc/crm.yaml": nameFile("named")},
			args:     []string{"--config", "etc/crm.yaml"},
			wantFile: "etc/crm.yaml", wantName: "named",
		},
		{
			name:     "VINCULO_CONFIG",
			files:    map[string]string{"vinculo.yaml": nameFile("wd"), "etc/crm.yaml": nameFile("named")},
			env:      []string{"VINCULO_CONFIG=etc/crm.yaml"},
			wantFile: "etc/crm.yaml", wantName: "named",
		},
		{
			name:     "--config beats VINCULO_CONFIG",
			files:    map[string]string{"a.yaml": nameFile("flag"), "b.yaml": nameFile("env")},
			args:     []string{"--config=a.yaml"},
			env:      []string{"VINCULO_CONFIG=b.yaml"},
			wantFile: "a.yaml", wantName: "flag",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inTempDir(t, tt.files)
			cfg, report := mustLoad(t, tt.args, tt.env)
			if report.file != tt.wantFile {
				t.Errorf("configuration file = %q, want %q", report.file, tt.wantFile)
			}
			if cfg.Business.Name != tt.wantName {
				t.Errorf("business.name = %q, want %q", cfg.Business.Name, tt.wantName)
			}
			if got := report.sources["business.name"]; got != tt.wantFile {
				t.Errorf("source of business.name = %q, want %q", got, tt.wantFile)
			}
		})
	}
}

// The ways people write values in YAML all work.
func TestLoadConfigYAMLForms(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, cfg *crm.Config)
	}{
		{
			name: "holidays as unquoted YAML dates",
			yaml: "business:\n  holidays:\n    - 2026-12-25\n    - 2027-01-01\n",
			check: func(t *testing.T, cfg *crm.Config) {
				if want := []string{"2026-12-25", "2027-01-01"}; !reflect.DeepEqual(cfg.Business.Holidays, want) {
					t.Errorf("holidays = %q, want %q", cfg.Business.Holidays, want)
				}
			},
		},
		{
			name: "one holiday, unquoted",
			yaml: "business:\n  holidays: 2026-12-25\n",
			check: func(t *testing.T, cfg *crm.Config) {
				if want := []string{"2026-12-25"}; !reflect.DeepEqual(cfg.Business.Holidays, want) {
					t.Errorf("holidays = %q, want %q", cfg.Business.Holidays, want)
				}
			},
		},
		{
			name: "holidays as one comma separated string",
			yaml: "business:\n  holidays: \"2026-12-25, 2027-01-01\"\n",
			check: func(t *testing.T, cfg *crm.Config) {
				if want := []string{"2026-12-25", "2027-01-01"}; !reflect.DeepEqual(cfg.Business.Holidays, want) {
					t.Errorf("holidays = %q, want %q", cfg.Business.Holidays, want)
				}
			},
		},
		{
			name: "a section whose every key is commented out",
			yaml: "smtp:\n  # host: smtp.example\nbusiness:\n  name: Padaria\n",
			check: func(t *testing.T, cfg *crm.Config) {
				if cfg.SMTP.Host != "" || cfg.Business.Name != "Padaria" {
					t.Errorf("smtp.host %q, business.name %q", cfg.SMTP.Host, cfg.Business.Name)
				}
			},
		},
		{
			name: "numbers and booleans as strings, a lower-case country",
			yaml: "smtp:\n  port: \"2525\"\n  tls: \"true\"\nbusiness:\n  country: pt\n",
			check: func(t *testing.T, cfg *crm.Config) {
				if cfg.SMTP.Port != 2525 || !cfg.SMTP.TLS || cfg.Business.Country != "PT" {
					t.Errorf("smtp.port %d, smtp.tls %v, business.country %q", cfg.SMTP.Port, cfg.SMTP.TLS, cfg.Business.Country)
				}
			},
		},
		{
			name: "an empty file",
			yaml: "",
			check: func(t *testing.T, cfg *crm.Config) {
				if cfg.Business.Name != "Vinculo" {
					t.Errorf("business.name = %q, want the default", cfg.Business.Name)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inTempDir(t, map[string]string{"vinculo.yaml": tt.yaml})
			cfg, _ := mustLoad(t, nil, nil)
			tt.check(t, cfg)
		})
	}
}

// Every mistake is reported with the key (or variable) and where it came
// from, as a configError so that main exits with code 2.
func TestLoadConfigErrorsNameKeyAndSource(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		args  []string
		env   []string
		want  []string // every one must be in the message
	}{
		// unknown keys and variables
		{
			name:  "unknown key in the working dir file",
			files: map[string]string{"vinculo.yaml": "business:\n  nme: Padaria\n"},
			want:  []string{"vinculo.yaml:", `unknown key "business.nme"`},
		},
		{
			name:  "unknown key in the data dir file",
			files: map[string]string{"d/vinculo.yaml": "colour: blue\n"},
			args:  []string{"--dir", "d"},
			want:  []string{filepath.Join("d", "vinculo.yaml") + ":", `unknown key "colour"`},
		},
		{
			name:  "a value where a section belongs",
			files: map[string]string{"vinculo.yaml": "smtp: smtp.example\n"},
			want:  []string{"vinculo.yaml:", `unknown key "smtp"`},
		},
		{
			name: "unknown environment variable",
			env:  []string{"VINCULO_SMTP_HOSTNAME=smtp.example"},
			want: []string{"environment", "VINCULO_SMTP_HOSTNAME"},
		},
		// bad values, from each layer
		{
			name: "pool size not a number, from the environment",
			env:  []string{"VINCULO_HOOKS_POOL_SIZE=abc"},
			want: []string{"environment VINCULO_HOOKS_POOL_SIZE:", "bad value for hooks.pool_size", `"abc"`},
		},
		{
			name: "negative pool size, from a flag",
			args: []string{"--hooks-pool-size=-1"},
			want: []string{"flag --hooks-pool-size:", "bad value for hooks.pool_size", `"-1"`},
		},
		{
			name:  "negative pool size, from the file",
			files: map[string]string{"vinculo.yaml": "hooks:\n  pool_size: -1\n"},
			want:  []string{"vinculo.yaml:", "bad value for hooks.pool_size"},
		},
		{
			name:  "unknown time zone",
			files: map[string]string{"vinculo.yaml": "business:\n  timezone: Mars/Phobos\n"},
			want:  []string{"vinculo.yaml:", "bad value for business.timezone", "Mars/Phobos"},
		},
		{
			name: "unsupported language",
			args: []string{"--business-language", "fr"},
			want: []string{"flag --business-language:", "bad value for business.language", `"fr"`},
		},
		{
			name: "hours in a form that is not understood",
			env:  []string{"VINCULO_BUSINESS_HOURS=monday 9-5"},
			want: []string{"environment VINCULO_BUSINESS_HOURS:", "bad value for business.hours", "monday"},
		},
		{
			name:  "hours ending before they start",
			files: map[string]string{"vinculo.yaml": "business:\n  hours: mon-fri 18:00-09:00\n"},
			want:  []string{"vinculo.yaml:", "bad value for business.hours", "18:00-09:00"},
		},
		{
			name:  "impossible holiday in the file",
			files: map[string]string{"vinculo.yaml": "business:\n  holidays: [2026-12-25, 2026-13-40]\n"},
			want:  []string{"vinculo.yaml:", "bad value for business.holidays", `"2026-13-40"`},
		},
		{
			name: "impossible holiday in a flag",
			args: []string{"--business-holidays", "2026-12-25,2026-13-40"},
			want: []string{"flag --business-holidays:", "bad value for business.holidays", `"2026-13-40"`},
		},
		{
			name: "http is not host:port",
			args: []string{"--http", "nonsense"},
			want: []string{"flag --http:", "bad value for http:", `"nonsense"`},
		},
		{
			name: "public URL is not http(s)",
			env:  []string{"VINCULO_PUBLIC_URL=ftp://x"},
			want: []string{"environment VINCULO_PUBLIC_URL:", "bad value for public_url", "ftp://x"},
		},
		{
			name:  "SMTP port out of range",
			files: map[string]string{"vinculo.yaml": "smtp:\n  port: 70000\n"},
			want:  []string{"vinculo.yaml:", "bad value for smtp.port", "70000"},
		},
		{
			name: "SMTP port zero",
			env:  []string{"VINCULO_SMTP_PORT=0"},
			want: []string{"environment VINCULO_SMTP_PORT:", "bad value for smtp.port"},
		},
		{
			name:  "SMTP host in the file without a sender",
			files: map[string]string{"vinculo.yaml": "smtp:\n  host: smtp.example\n"},
			want:  []string{"bad value for smtp.sender", "smtp.host is set by vinculo.yaml"},
		},
		{
			name: "SMTP host in the environment with a sender that is no address",
			env:  []string{"VINCULO_SMTP_HOST=smtp.example", "VINCULO_SMTP_SENDER=padaria"},
			want: []string{"environment VINCULO_SMTP_SENDER:", "bad value for smtp.sender", `"padaria"`, "smtp.host is set by environment VINCULO_SMTP_HOST"},
		},
		{
			name: "country name instead of code",
			env:  []string{"VINCULO_BUSINESS_COUNTRY=Brazil"},
			want: []string{"environment VINCULO_BUSINESS_COUNTRY:", "bad value for business.country"},
		},
		{
			name:  "boolean 'maybe' in the file",
			files: map[string]string{"vinculo.yaml": "hooks:\n  watch: maybe\n"},
			want:  []string{"vinculo.yaml:", "bad value for hooks.watch", `"maybe"`},
		},
		{
			name: "boolean 'maybe' in the environment",
			env:  []string{"VINCULO_SMTP_TLS=maybe"},
			want: []string{"environment VINCULO_SMTP_TLS:", "bad value for smtp.tls", `"maybe"`},
		},
		{
			name: "boolean 'maybe' in a flag",
			args: []string{"--rate-limits=maybe"},
			want: []string{"flag --rate-limits:", "bad value for rate_limits", `"maybe"`},
		},
		{
			name: "empty data dir",
			env:  []string{"VINCULO_DATA_DIR="},
			want: []string{"environment VINCULO_DATA_DIR:", "bad value for data_dir"},
		},
		{
			name: "empty business name",
			args: []string{"--business-name="},
			want: []string{"flag --business-name:", "bad value for business.name"},
		},
		// files that cannot be read
		{
			name: "--config names a missing file",
			args: []string{"--config", "missing.yaml"},
			want: []string{"missing.yaml:", "cannot read the configuration file", "--config"},
		},
		{
			name: "VINCULO_CONFIG names a missing file",
			env:  []string{"VINCULO_CONFIG=missing.yaml"},
			want: []string{"missing.yaml:", "cannot read the configuration file", "VINCULO_CONFIG"},
		},
		{
			name:  "invalid YAML in the working dir",
			files: map[string]string{"vinculo.yaml": "business: [unclosed\n"},
			want:  []string{"vinculo.yaml:", "cannot read the configuration file"},
		},
		{
			name:  "invalid YAML in the data dir",
			files: map[string]string{"d/vinculo.yaml": "business:\n\tname: tab-indented\n"},
			env:   []string{"VINCULO_DATA_DIR=d"},
			want:  []string{filepath.Join("d", "vinculo.yaml") + ":", "cannot read the configuration file"},
		},
		{
			name:  "invalid YAML named by --config",
			files: map[string]string{"etc/crm.yaml": "- just\n- a list\n"},
			args:  []string{"--config=etc/crm.yaml"},
			want:  []string{"etc/crm.yaml:", "cannot read the configuration file", "--config"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inTempDir(t, tt.files)
			cfg, report, err := loadConfig(tt.args, tt.env)
			if err == nil {
				t.Fatalf("no error; configuration %+v", cfg)
			}
			if cfg != nil || report != nil {
				t.Errorf("a configuration was returned with the error")
			}
			var cfgErr *configError
			if !errors.As(err, &cfgErr) {
				t.Errorf("error is a %T, not a *configError (main would not exit with code 2)", err)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not contain %q", err, want)
				}
			}
		})
	}
}

var reportLine = regexp.MustCompile(`^(\S+)\s+= (".*")\s+# (.+)$`)

// parseReport reads configReport.print's output: key -> value, source.
func parseReport(t *testing.T, out string) (file string, values, sources map[string]string) {
	t.Helper()
	values, sources = map[string]string{}, map[string]string{}
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if f, ok := strings.CutPrefix(line, "# configuration file: "); ok {
			file = f
			continue
		}
		m := reportLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("line %q is not `key = \"value\" # source`", line)
		}
		if _, dup := values[m[1]]; dup {
			t.Errorf("key %s printed twice", m[1])
		}
		values[m[1]] = strings.TrimSpace(m[2])
		sources[m[1]] = m[3]
	}
	for _, s := range settings {
		if _, ok := values[s.key]; !ok {
			t.Errorf("key %s is not printed", s.key)
		}
	}
	return file, values, sources
}

func TestConfigReportPrintsSourcesAndMasksSecrets(t *testing.T) {
	inTempDir(t, map[string]string{"vinculo.yaml": "business:\n  name: Padaria Pão Dourado\n  holidays: [2026-12-25]\nsmtp:\n  password: from-the-file\n"})
	_, report := mustLoad(t,
		[]string{"--smtp-password", "hunter2", "--smtp-tls"},
		[]string{"VINCULO_SMTP_PORT=2525"})
	var out bytes.Buffer
	report.print(&out)
	if strings.Contains(out.String(), "hunter2") || strings.Contains(out.String(), "from-the-file") {
		t.Errorf("the SMTP password is printed:\n%s", out.String())
	}

	file, values, sources := parseReport(t, out.String())
	if file != "vinculo.yaml" {
		t.Errorf("configuration file line says %q", file)
	}
	want := map[string][2]string{ // key -> value as printed, source
		"smtp.password":     {`"********"`, "flag --smtp-password"},
		"smtp.tls":          {`"true"`, "flag --smtp-tls"},
		"smtp.port":         {`"2525"`, "environment VINCULO_SMTP_PORT"},
		"business.name":     {`"Padaria Pão Dourado"`, "vinculo.yaml"},
		"business.holidays": {`"2026-12-25"`, "vinculo.yaml"},
		"business.country":  {`"BR"`, "default"},
		"http":              {`"127.0.0.1:8090"`, "default"},
		"public_url":        {`"http://127.0.0.1:8090"`, "default"},
	}
	for key, w := range want {
		if values[key] != w[0] || sources[key] != w[1] {
			t.Errorf("%s printed as %s # %s, want %s # %s", key, values[key], sources[key], w[0], w[1])
		}
	}

	// No password: nothing to mask, and the mask does not suggest there is one.
	inTempDir(t, nil)
	_, report = mustLoad(t, nil, nil)
	out.Reset()
	report.print(&out)
	file, values, _ = parseReport(t, out.String())
	if values["smtp.password"] != `""` {
		t.Errorf("empty password printed as %s", values["smtp.password"])
	}
	if !strings.HasPrefix(file, "none") {
		t.Errorf("configuration file line says %q, want none", file)
	}
}
