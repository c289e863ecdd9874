# The AWS IPAM tutorial's plan: a top-level pool without locale, a regional pool per operating
# region carved from it, and development and production pools per region with allocation rules.

terraform {
  required_providers {
    ipam = { source = "local/ipam" }
  }
}

provider "ipam" {
  region = "us-east-1"
}

locals {
  regions = ["us-east-1", "us-west-2"]
  stages = {
    dev  = { netmask = 24, tags = { env = "dev" } }
    prod = { netmask = 22, tags = { env = "prod" } }
  }
  region_stages = {
    for pair in setproduct(local.regions, keys(local.stages)) : "${pair[0]}-${pair[1]}" => {
      region = pair[0]
      stage  = pair[1]
    }
  }
}

resource "ipam" "main" {
  description = "Multi-region IPAM"
  dynamic "operating_regions" {
    for_each = local.regions
    content {
      region_name = operating_regions.value
    }
  }
}

resource "ipam_pool" "top" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  description    = "top-level pool"
}

resource "ipam_pool_cidr" "top" {
  ipam_pool_id = ipam_pool.top.id
  cidr         = "10.0.0.0/8"
}

resource "ipam_pool" "regional" {
  for_each            = toset(local.regions)
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv4"
  locale              = each.key
  source_ipam_pool_id = ipam_pool.top.id
  description         = "regional pool ${each.key}"
}

resource "ipam_pool_cidr" "regional" {
  for_each       = toset(local.regions)
  ipam_pool_id   = ipam_pool.regional[each.key].id
  netmask_length = 12
  depends_on     = [ipam_pool_cidr.top]
}

resource "ipam_pool" "stage" {
  for_each                          = local.region_stages
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  locale                            = each.value.region
  source_ipam_pool_id               = ipam_pool.regional[each.value.region].id
  description                       = "${each.value.stage} pool ${each.value.region}"
  allocation_default_netmask_length = local.stages[each.value.stage].netmask
  allocation_min_netmask_length     = 16
  allocation_max_netmask_length     = 28
  allocation_resource_tags          = local.stages[each.value.stage].tags
}

resource "ipam_pool_cidr" "stage" {
  for_each       = local.region_stages
  ipam_pool_id   = ipam_pool.stage[each.key].id
  netmask_length = 16
  depends_on     = [ipam_pool_cidr.regional]
}

# A VPC's CIDR in each region's production pool.
resource "ipam_pool_allocation" "vpc" {
  for_each        = toset(local.regions)
  ipam_pool_id    = ipam_pool.stage["${each.key}-prod"].id
  resource_type   = "vpc"
  resource_id     = "vpc-${replace(each.key, "-", "")}"
  resource_region = each.key
  tags            = { env = "prod" }
  depends_on      = [ipam_pool_cidr.stage]
}

output "regional_cidrs" {
  value = { for r, c in ipam_pool_cidr.regional : r => c.cidr }
}

output "vpc_cidrs" {
  value = { for r, a in ipam_pool_allocation.vpc : r => a.cidr }
}
