package rfs

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"

	"fmt"
	"strings"
)

// Sample generates a valid template of modules module calls, nested in chains MaxDepth deep,
// each module with a server, a disk and an elastic IP: what `mercato bench template` and the
// benchmark validate, and a template the demo can attach.
func Sample(modules int) []File {
	files := []File{{Name: "main.tf", Data: []byte(sampleRoot(modules))}}
	for i := range modules {
		var b strings.Builder
		fmt.Fprintf(&b, "variable \"name\" {\n  type        = string\n  description = \"Name prefix of module %d's resources\"\n}\n\n", i)
		b.WriteString("variable \"admin_password\" {\n  type        = string\n  description = \"The server's administrator password\"\n  sensitive   = true\n}\n\n")
		fmt.Fprintf(&b, `resource "huaweicloud_compute_instance" "server" {
  name               = "${var.name}-server-%d"
  flavor_id          = "s6.large.2"
  image_id           = "mercato-image"
  admin_pass         = var.admin_password
  security_group_ids = ["default"]
  network {
    uuid = "subnet"
  }
}

resource "huaweicloud_evs_volume" "data" {
  name        = "${var.name}-data-%d"
  size        = 100
  volume_type = "SSD"
}

resource "huaweicloud_vpc_eip" "ip" {
  publicip {
    type = "5_bgp"
  }
  bandwidth {
    name        = lower("${var.name}-bw")
    size        = 5
    share_type  = "PER"
    charge_mode = "traffic"
  }
}

output "server_id" {
  value = huaweicloud_compute_instance.server.id
}
`, i, i)
		if i%MaxDepth != MaxDepth-1 && i+1 < modules {
			fmt.Fprintf(&b, "\nmodule \"next\" {\n  source         = \"../m%d\"\n  name           = var.name\n  admin_password = var.admin_password\n}\n", i+1)
		}
		files = append(files, File{Name: fmt.Sprintf("modules/m%d/main.tf", i), Data: []byte(b.String())})
	}
	return files
}

func sampleRoot(modules int) string {
	var b strings.Builder
	b.WriteString(`terraform {
  required_providers {
    huaweicloud = {
      source  = "huaweicloud/huaweicloud"
      version = ">= 1.60.0"
    }
  }
}

variable "name" {
  type        = string
  description = "Name prefix of every resource"
  default     = "mercato"
  validation {
    condition     = length(var.name) >= 3 && length(var.name) <= 32
    error_message = "The name prefix has 3 to 32 characters."
  }
}

variable "admin_password" {
  type        = string
  description = "The servers' administrator password"
  sensitive   = true
  validation {
    condition     = length(var.admin_password) >= 8
    error_message = "The password has at least 8 characters."
  }
}

variable "servers" {
  type        = number
  description = "How many front servers to create"
  default     = 1
}

resource "huaweicloud_vpc" "main" {
  name = "${var.name}-vpc"
  cidr = "192.168.0.0/16"
}

resource "huaweicloud_compute_instance" "front" {
  count     = var.servers
  name      = "${var.name}-front-${count.index}"
  flavor_id = "s6.medium.2"
  image_id  = "mercato-image"
  admin_pass = var.admin_password
}
`)
	for i := 0; i < modules; i += MaxDepth {
		fmt.Fprintf(&b, "\nmodule \"m%d\" {\n  source         = \"./modules/m%d\"\n  name           = var.name\n  admin_password = var.admin_password\n}\n", i, i)
	}
	return b.String()
}

// ParseOnly parses every Terraform file of a template and checks nothing: the floor under
// Validate, which `mercato bench template` measures beside it.
func ParseOnly(files []File) error {
	for _, f := range files {
		tf, isJSON := isTerraform(f.Name)
		if !tf {
			continue
		}
		var diags hcl.Diagnostics
		if err := nesting(f.Data); err != nil {
			return err
		}
		if isJSON {
			_, diags = hcljson.Parse(f.Data, f.Name)
		} else {
			_, diags = hclsyntax.ParseConfig(f.Data, f.Name, hcl.InitialPos)
		}
		if diags.HasErrors() {
			return diags
		}
	}
	return nil
}
