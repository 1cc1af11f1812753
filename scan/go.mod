module github.com/mercato-oss/mercato/scan

go 1.26.8

require (
	github.com/go-crypt/crypt v0.4.15
	github.com/go-crypt/x v0.4.17
)

require (
	golang.org/x/crypto v0.59.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
