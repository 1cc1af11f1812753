package conformance_test

import (
	"context"
	"fmt"
	"log"

	"github.com/mercato-oss/mercato/conformance"
	"github.com/mercato-oss/mercato/kgp"
	"github.com/mercato-oss/mercato/sdk/sdktest"
)

// ExampleRun checks the SDK's test merchant. Over plain HTTP the optional HTTPS case fails, and
// without the merchant's RSA public key the applicationSync case is skipped; every mandatory
// case passes.
func ExampleRun() {
	merchant, err := sdktest.Start(sdktest.Options{Key: "basic-key", KitKey: "kit-key", EncryptType: kgp.EncryptAES256})
	if err != nil {
		log.Fatal(err)
	}
	defer merchant.Close()

	rep, err := conformance.Run(context.Background(), conformance.Config{URL: merchant.URL, Key: "basic-key", KitKey: "kit-key"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("conforms:", rep.Passed())
	for _, r := range rep.Results {
		if r.Verdict != conformance.Pass {
			fmt.Println(r.ID, r.Verdict, r.Mandatory)
		}
	}
	// Output:
	// conforms: true
	// accept.kit.applicationSync skip true
	// transport.https fail false
}
