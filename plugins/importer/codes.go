package importer

import (
	"errors"
	"fmt"
)

// Why a row or a value was refused, said twice: a code with its values,
// which the workspace words in the reader's language (the UI's messages
// import.error.<code>), and an English sentence, which the command line
// prints with the line and errors.csv keeps.

// CodedError is an error that carries its code and values beside its
// English text.
type CodedError struct {
	Code   string
	Params map[string]any
	Text   string
}

func (e *CodedError) Error() string { return e.Text }

// codedError makes a CodedError whose text is format with args.
func codedError(code string, params map[string]any, format string, args ...any) *CodedError {
	return &CodedError{Code: code, Params: params, Text: fmt.Sprintf(format, args...)}
}

// coded is a problem of line, with its code, values and English reason.
func coded(line int, code string, params map[string]any, format string, args ...any) Problem {
	return Problem{Line: line, Code: code, Params: params, Reason: fmt.Sprintf(format, args...)}
}

// failCode records a problem of the row's field with its code and values.
func (c *checker) failCode(field, value, code string, params map[string]any, format string, args ...any) {
	c.fail(field, value, fmt.Sprintf(format, args...))
	p := &c.problems[len(c.problems)-1]
	p.Code, p.Params = code, params
}

// failErr records err as a problem of the row's field, with its code when
// it carries one.
func (c *checker) failErr(field, value string, err error) {
	var ce *CodedError
	if errors.As(err, &ce) {
		c.failCode(field, value, ce.Code, ce.Params, "%s", ce.Text)
		return
	}
	c.fail(field, value, err.Error())
}
