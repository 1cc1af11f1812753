package server_test

// testOperatorToken is the operator token of the servers the tests start.
const testOperatorToken = "op_test_0123456789abcdefghijklmnopqrstuvwxyz"
