package server

import (
	"flag"

	"github.com/mercato-oss/mercato/internal/deploy"
	"github.com/mercato-oss/mercato/internal/marketplace"
)

// Deploy configures auto-deploy (docs/auto-deploy.md).
type Deploy struct {
	// Dir is where the local deployer writes each deployment's template, variables and plan;
	// empty records the plan in the database only.
	Dir string
	// Attempts is how many times a deployment is handed to the deployer before it fails.
	Attempts int
}

func (c *Config) deployFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Deploy.Dir, "deploy-dir", env("MERCATO_DEPLOY_DIR", ""), "where the local deployer writes each deployment's template, tfvars and plan; default: none (MERCATO_DEPLOY_DIR)")
	fs.IntVar(&c.Deploy.Attempts, "deploy-attempts", envInt("MERCATO_DEPLOY_ATTEMPTS", 5), "attempts of a deployment before it fails (MERCATO_DEPLOY_ATTEMPTS)")
}

// apply sets auto-deploy's configuration: the local deployer, writing to Dir when set.
func (d Deploy) apply(m *marketplace.Config) {
	m.Deployer = deploy.LocalDeployer{Dir: d.Dir}
	if d.Attempts > 0 {
		m.Deploy.Attempts = d.Attempts
	}
}
