package accesslog

// Write is write, for the tests of the bulk statements.
var Write = write
