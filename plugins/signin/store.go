package signin

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
)

// The plain tables the plugin keeps (created by a migration, reachable by no
// API): failed sign-ins, and the made-up codes given to unknown emails.
// Accounts and addresses are kept as hashes, never as typed.
const (
	FailuresTable = "_signin_failures"
	DecoysTable   = "_signin_decoys"
)

// CreateTablesSQL makes the tables.
var CreateTablesSQL = []string{
	"CREATE TABLE IF NOT EXISTS `" + FailuresTable + "` (" +
		"`account` TEXT NOT NULL DEFAULT '', `address` TEXT NOT NULL DEFAULT '', `at` INTEGER NOT NULL)",
	"CREATE INDEX IF NOT EXISTS `idx_signin_failures_account` ON `" + FailuresTable + "` (`account`, `at`)",
	"CREATE INDEX IF NOT EXISTS `idx_signin_failures_address` ON `" + FailuresTable + "` (`address`, `at`)",
	"CREATE INDEX IF NOT EXISTS `idx_signin_failures_at` ON `" + FailuresTable + "` (`at`)",
	"CREATE TABLE IF NOT EXISTS `" + DecoysTable + "` (" +
		"`id` TEXT PRIMARY KEY NOT NULL, `collection` TEXT NOT NULL, `account` TEXT NOT NULL, `created` INTEGER NOT NULL)",
	"CREATE INDEX IF NOT EXISTS `idx_signin_decoys_account` ON `" + DecoysTable + "` (`account`, `created`)",
}

// AccountKey is how an account is counted: its collection and its email (or
// the identity typed), in lower case, hashed.
func AccountKey(collection, identity string) string {
	return hash(collection + "\x00" + strings.ToLower(strings.TrimSpace(identity)))
}

func addressKey(collection, ip string) string { return hash(collection + "\x00" + ip) }

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Failures is how many failed sign-ins the account (collection, identity) has
// had since the given time.
func Failures(app core.App, collection, identity string, since time.Time) (int, error) {
	return countSince(app, "account", AccountKey(collection, identity), since)
}

// Clear forgets the account's failed sign-ins (a superuser unlocking an
// account held by someone else's guesses).
func Clear(app core.App, collection, identity string) error {
	_, err := app.NonconcurrentDB().NewQuery("DELETE FROM `" + FailuresTable + "` WHERE `account` = {:key}").
		Bind(dbx.Params{"key": AccountKey(collection, identity)}).Execute()
	return err
}

func countSince(app core.App, column, key string, since time.Time) (int, error) {
	var n int
	err := app.DB().NewQuery("SELECT COUNT(*) FROM `" + FailuresTable + "` WHERE `" + column + "` = {:key} AND `at` > {:since}").
		Bind(dbx.Params{"key": key, "since": since.UnixMilli()}).Row(&n)
	return n, err
}

// insertFailure counts one failure and forgets those older than every window.
func insertFailure(app core.App, account, address string, at time.Time) (int64, error) {
	db := app.NonconcurrentDB()
	if _, err := db.NewQuery("DELETE FROM `" + FailuresTable + "` WHERE `at` <= {:old}").
		Bind(dbx.Params{"old": at.Add(-AccountWindow).UnixMilli()}).Execute(); err != nil {
		return 0, err
	}
	res, err := db.NewQuery("INSERT INTO `" + FailuresTable + "` (`account`, `address`, `at`) VALUES ({:account}, {:address}, {:at})").
		Bind(dbx.Params{"account": account, "address": address, "at": at.UnixMilli()}).Execute()
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func deleteFailure(app core.App, row int64) error {
	_, err := app.NonconcurrentDB().NewQuery("DELETE FROM `" + FailuresTable + "` WHERE rowid = {:row}").
		Bind(dbx.Params{"row": row}).Execute()
	return err
}
