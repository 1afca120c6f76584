package replication

import (
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"
	"github.com/benbjohnson/litestream/sftp"

	"vinculo/crm"
)

// Databases are the files of the data dir that are replicated, each under its
// own name below the replica's path.
var Databases = []string{"data.db", "auxiliary.db"}

// Schemes are the kinds of replica replication.url may name.
var Schemes = []string{"s3", "sftp", "file"}

// CheckURL says why a replica URL is unusable ("" when it is fine or empty).
func CheckURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err.Error()
	}
	switch u.Scheme {
	case "s3":
		if u.Host == "" {
			return "an s3 URL names its bucket: s3://bucket/path"
		}
	case "sftp":
		if u.Host == "" || u.User == nil || u.User.Username() == "" {
			return "an sftp URL names its user and host: sftp://user@host:port/path"
		}
		if _, has := u.User.Password(); has {
			return "put the SFTP password in replication.password, not in the URL"
		}
	case "file":
		if u.Path == "" || u.Host != "" {
			return "a file URL names an absolute folder: file:///path"
		}
	default:
		return fmt.Sprintf("unknown kind of replica %q (use %s)", u.Scheme, strings.Join(Schemes, ", "))
	}
	return ""
}

// Shown is the replica's URL without anything secret, for people to read.
func Shown(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}

// newClient is the Litestream client of one database's replica: the URL's
// path with name appended, and the credentials of rc.
func newClient(rc crm.Replication, name string) (litestream.ReplicaClient, error) {
	if why := CheckURL(rc.URL); why != "" {
		return nil, fmt.Errorf("replication.url: %s", why)
	}
	u, _ := url.Parse(rc.URL)
	u.Path = path.Join("/", u.Path, name)
	client, err := litestream.NewReplicaClientFromURL(u.String())
	if err != nil {
		return nil, fmt.Errorf("replication.url: %w", err)
	}
	switch c := client.(type) {
	case *s3.ReplicaClient:
		if rc.AccessKeyID != "" {
			c.AccessKeyID, c.SecretAccessKey = rc.AccessKeyID, rc.SecretAccessKey
		}
	case *sftp.ReplicaClient:
		c.Password, c.KeyPath, c.HostKey = rc.Password, rc.KeyPath, rc.HostKey
	case *file.ReplicaClient:
	}
	return client, nil
}
