# GitOps: the networks live in a map that a pull request edits; the outputs show reviewers which
# CIDR each name got. Adding a name allocates its block; removing one releases it.

terraform {
  required_providers {
    ipam = { source = "local/ipam" }
  }
}

provider "ipam" {}

variable "networks" {
  description = "Name => netmask length of each network."
  type        = map(number)
  default = {
    payments = 24
    search   = 24
    data     = 22
    office   = 26
  }
}

resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}

resource "ipam_pool" "apps" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  description    = "application networks"
}

resource "ipam_pool_cidr" "apps" {
  ipam_pool_id = ipam_pool.apps.id
  cidr         = "172.16.0.0/16"
}

resource "ipam_pool_allocation" "network" {
  for_each       = var.networks
  ipam_pool_id   = ipam_pool.apps.id
  netmask_length = each.value
  description    = each.key
  depends_on     = [ipam_pool_cidr.apps]
}

output "networks" {
  description = "Name => allocated CIDR."
  value       = { for name, a in ipam_pool_allocation.network : name => a.cidr }
}
