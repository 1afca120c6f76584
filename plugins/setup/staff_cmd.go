package setup

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"vinculo/crm"
)

// StaffCommand is `vinculo staff create EMAIL PASSWORD`: the first manager of
// a fresh install, who then invites the rest of the team from the workspace.
func StaffCommand(app core.App) *cobra.Command {
	command := &cobra.Command{
		Use:   "staff",
		Short: "Creates a member of the team (the first manager of a fresh install)",
	}
	var name, role, language string
	create := &cobra.Command{
		Use:          "create EMAIL PASSWORD",
		Short:        "Creates a member of the team who signs in to the workspace with this email and password",
		Args:         cobra.ExactArgs(2),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAllMigrations(); err != nil {
				return err
			}
			member, err := CreateStaff(app, NewStaff{Email: args[0], Password: args[1], Name: name, Role: role, Language: language})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s (%s) may sign in to the workspace.\n", member.Email(), member.GetString(crm.FieldRole))
			return nil
		},
	}
	create.Flags().StringVar(&name, "name", "", "the member's name (default: the part of the email before @)")
	create.Flags().StringVar(&role, "role", crm.RoleManager, "manager, agent or readonly")
	create.Flags().StringVar(&language, "language", "", "en or pt-BR (default: the business's)")
	command.AddCommand(create)
	return command
}

// NewStaff is what CreateStaff needs to know of a new member.
type NewStaff struct {
	Email, Password, Name, Role, Language string
}

// CreateStaff saves a new, verified member of the team, or says which value is wrong.
func CreateStaff(app core.App, in NewStaff) (*core.Record, error) {
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if !strings.Contains(email, "@") {
		return nil, fmt.Errorf("email: %q is not an email address", in.Email)
	}
	roles := []string{crm.RoleManager, crm.RoleAgent, crm.RoleReadonly}
	if !slices.Contains(roles, in.Role) {
		return nil, fmt.Errorf("--role must be one of %s, not %q", strings.Join(roles, ", "), in.Role)
	}
	if existing, _ := app.FindAuthRecordByEmail(crm.Staff, email); existing != nil {
		return nil, fmt.Errorf("email: %s is already a member of the team", email)
	}
	collection, err := app.FindCollectionByNameOrId(crm.Staff)
	if err != nil {
		return nil, err
	}
	// The same limits as the workspace's set-password page: the collection's own.
	if field, ok := collection.Fields.GetByName(core.FieldNamePassword).(*core.PasswordField); ok {
		low, high := max(field.Min, 1), field.Max
		if high == 0 {
			high = 71 // PocketBase's own limit when the field sets none (bcrypt's)
		}
		if n := len(in.Password); n < low || n > high {
			return nil, fmt.Errorf("password: use %d to %d characters", low, high)
		}
	}
	name := strings.TrimSpace(in.Name)
	if name == "" {
		name = email[:strings.Index(email, "@")]
	}
	member := core.NewRecord(collection)
	member.SetEmail(email)
	member.SetPassword(in.Password)
	member.SetVerified(true)
	member.Set("name", name)
	member.Set(crm.FieldRole, in.Role)
	if in.Language != "" {
		member.Set("language", in.Language)
	}
	if err := app.Save(member); err != nil {
		return nil, fmt.Errorf("the member was not saved: %w", err)
	}
	return member, nil
}

// hasManager says whether the team has a manager who can sign in to the workspace.
func hasManager(app core.App) bool {
	n, err := app.CountRecords(crm.Staff, dbx.HashExp{crm.FieldRole: crm.RoleManager})
	return err == nil && n > 0
}
