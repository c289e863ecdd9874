# Quick start: one IPAM with its default scopes, a private scope for lab networks, a pool with a
# CIDR, and two allocations. The database is terraform-ipam.db in this directory (the default).

terraform {
  required_providers {
    ipam = { source = "local/ipam" }
  }
}

provider "ipam" {
  region = "us-east-1"
  default_tags {
    tags = { managed_by = "terraform" }
  }
}

resource "ipam" "main" {
  description = "Organisation IPAM"
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "eu-west-1" }
}

resource "ipam_scope" "lab" {
  ipam_id     = ipam.main.id
  description = "Lab networks (may overlap production)"
}

resource "ipam_pool" "corp" {
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  description                       = "Corporate space"
  allocation_default_netmask_length = 24
}

resource "ipam_pool_cidr" "corp" {
  ipam_pool_id = ipam_pool.corp.id
  cidr         = "10.0.0.0/16"
}

# The first free /24 (the pool's default size), chosen at apply.
resource "ipam_pool_allocation" "app" {
  ipam_pool_id = ipam_pool.corp.id
  description  = "application network"
  depends_on   = [ipam_pool_cidr.corp]
}

# An exact block, reserved for on-premises space.
resource "ipam_pool_allocation" "onprem" {
  ipam_pool_id = ipam_pool.corp.id
  cidr         = "10.0.128.0/20"
  description  = "on-premises"
  depends_on   = [ipam_pool_cidr.corp]
}

output "ipam_id" {
  value = ipam.main.id
}

output "private_default_scope_id" {
  value = ipam.main.private_default_scope_id
}

output "lab_scope_id" {
  value = ipam_scope.lab.id
}

output "app_cidr" {
  value = ipam_pool_allocation.app.cidr
}

output "onprem_cidr" {
  value = ipam_pool_allocation.onprem.cidr
}
