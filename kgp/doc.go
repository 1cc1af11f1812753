// Package kgp is the Huawei Cloud KooGallery (华为云云商店) merchant wire protocol: the messages
// KooGallery sends to a merchant's production interface and the answers it expects, the open-API
// messages a merchant sends back, the time formats, the result and error codes, every signing
// scheme (1.0 authToken, 2.0 URL signature, kit x-sign, Body-Sign, the usage-push body signature
// and APIG SDK-HMAC-SHA256), the credential cipher (AES-CBC with Java's SHA1PRNG key derivation)
// and the RSA-OAEP used for the kit clientSecret.
//
// The package does no I/O and depends on the standard library only, so a merchant can use it on
// its own. Signers emit exactly what KooGallery's documentation and Huawei's published merchant
// demo both accept; verifiers accept every reading the documentation allows, compare in constant
// time, and report the string they expected so that a failing integration can be debugged.
//
// Section numbers in comments (§3.4, §12.19, ...) refer to the protocol specification the
// package implements, docs/protocol.md in the repository explains the schemes with examples.
package kgp
