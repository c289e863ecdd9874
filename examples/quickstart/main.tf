# Quick start: one IPAM with its default scopes and a private scope for lab networks.
# The database is terraform-ipam.db in this directory (the provider's default).

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

output "ipam_id" {
  value = ipam.main.id
}

output "private_default_scope_id" {
  value = ipam.main.private_default_scope_id
}

output "lab_scope_id" {
  value = ipam_scope.lab.id
}
