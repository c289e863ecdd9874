# Two accounts, one IPAM: the network account owns the pool and shares it; the application
# account allocates from it through its own provider block.

terraform {
  required_providers {
    ipam = { source = "local/ipam" }
  }
}

provider "ipam" {
  account_id = "111111111111"
}

provider "ipam" {
  alias      = "app"
  account_id = "222222222222"
}

resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}

resource "ipam_pool" "shared" {
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  locale                            = "us-east-1"
  allocation_default_netmask_length = 24
}

resource "ipam_pool_cidr" "shared" {
  ipam_pool_id = ipam_pool.shared.id
  cidr         = "10.50.0.0/16"
}

resource "ipam_resource_share" "to_app" {
  name          = "shared-pool"
  resource_arns = [ipam_pool.shared.arn]
  principals    = ["222222222222"]
}

resource "ipam_pool_allocation" "app_vpc" {
  provider      = ipam.app
  ipam_pool_id  = ipam_pool.shared.id
  resource_type = "vpc"
  resource_id   = "vpc-0a1b2c3d"
  depends_on    = [ipam_resource_share.to_app, ipam_pool_cidr.shared]
}

output "app_vpc_cidr" {
  value = ipam_pool_allocation.app_vpc.cidr
}

output "app_vpc_owner" {
  value = ipam_pool_allocation.app_vpc.resource_owner
}
