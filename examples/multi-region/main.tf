# The AWS IPAM tutorial's pool plan for two operating regions and two business units: a top-level
# pool without locale, a regional pool per operating region carved from it, and in each region a
# development and a production pool per business unit, with allocation rules; one VPC is allocated
# from each development and production pool, at the first free block of the pool's default size.
# README.md in this directory draws the tree and the CIDRs it gets.

terraform {
  required_providers {
    ipam = { source = "local/ipam" }
  }
}

provider "ipam" {
  region = "us-east-1"
}

variable "regions" {
  description = "The IPAM's operating regions; each gets a regional /16 of 10.0.0.0/8, in this order."
  type        = list(string)
  default     = ["us-east-1", "us-west-2"]
}

variable "business_units" {
  description = "Each gets a development and a production /20 of every regional pool, in this order."
  type        = list(string)
  default     = ["payments", "analytics"]
}

locals {
  top_cidr = "10.0.0.0/8"

  # Allocation rules per stage: the netmask length of a VPC that asks for no size, and the
  # smallest and largest netmask lengths of a compliant VPC.
  stages = {
    dev  = { index = 0, default_netmask = 24, min_netmask = 24, max_netmask = 28 }
    prod = { index = 1, default_netmask = 22, min_netmask = 21, max_netmask = 24 }
  }

  # The address plan: region i gets 10.i.0.0/16; business unit j's dev and prod pools get the
  # (2j)th and (2j+1)th /20 of it.
  regional_cidrs = { for i, r in var.regions : r => cidrsubnet(local.top_cidr, 8, i) }
  pools = merge([
    for r in var.regions : merge([
      for j, bu in var.business_units : {
        for stage, s in local.stages : "${r}/${bu}/${stage}" => {
          region = r
          bu     = bu
          stage  = stage
          cidr   = cidrsubnet(local.regional_cidrs[r], 4, 2 * j + s.index)
        }
      }
    ]...)
  ]...)
}

resource "ipam" "main" {
  description = "Multi-region IPAM"
  dynamic "operating_regions" {
    for_each = var.regions
    content {
      region_name = operating_regions.value
    }
  }
}

# Tutorial step 3 and 4: the top-level pool, without locale (usable only to carve other pools and
# manual reservations), and its CIDR.
resource "ipam_pool" "top" {
  ipam_scope_id  = ipam.main.private_default_scope_id
  address_family = "ipv4"
  description    = "top-level pool"
}

resource "ipam_pool_cidr" "top" {
  ipam_pool_id = ipam_pool.top.id
  cidr         = local.top_cidr
}

# Tutorial step 5 and 6: a regional pool per operating region, sourced from the top-level pool.
resource "ipam_pool" "regional" {
  for_each            = local.regional_cidrs
  ipam_scope_id       = ipam.main.private_default_scope_id
  address_family      = "ipv4"
  locale              = each.key
  source_ipam_pool_id = ipam_pool.top.id
  description         = "regional pool ${each.key}"
}

resource "ipam_pool_cidr" "regional" {
  for_each     = local.regional_cidrs
  ipam_pool_id = ipam_pool.regional[each.key].id
  cidr         = each.value
  depends_on   = [ipam_pool_cidr.top]
}

# A development and a production pool per business unit in each region, with allocation rules:
# VPCs get the stage's default size unless they ask for another one, and are compliant only within
# the stage's sizes (dev /24 to /28, prod /21 to /24) and with the business unit's and stage's tags.
resource "ipam_pool" "stage" {
  for_each                          = local.pools
  ipam_scope_id                     = ipam.main.private_default_scope_id
  address_family                    = "ipv4"
  locale                            = each.value.region
  source_ipam_pool_id               = ipam_pool.regional[each.value.region].id
  description                       = "${each.value.bu} ${each.value.stage} pool ${each.value.region}"
  allocation_default_netmask_length = local.stages[each.value.stage].default_netmask
  allocation_min_netmask_length     = local.stages[each.value.stage].min_netmask
  allocation_max_netmask_length     = local.stages[each.value.stage].max_netmask
  allocation_resource_tags          = { business_unit = each.value.bu, env = each.value.stage }
  tags                              = { business_unit = each.value.bu, env = each.value.stage }
}

resource "ipam_pool_cidr" "stage" {
  for_each     = local.pools
  ipam_pool_id = ipam_pool.stage[each.key].id
  cidr         = each.value.cidr
  depends_on   = [ipam_pool_cidr.regional]
}

# Tutorial step 8: a VPC in each pool, sized by the pool's default netmask length and placed at its
# first free block.
resource "ipam_pool_allocation" "vpc" {
  for_each        = local.pools
  ipam_pool_id    = ipam_pool.stage[each.key].id
  resource_type   = "vpc"
  resource_id     = "vpc-${each.value.bu}-${each.value.stage}-${replace(each.value.region, "-", "")}"
  resource_region = each.value.region
  description     = "${each.value.bu} ${each.value.stage} VPC"
  tags            = { business_unit = each.value.bu, env = each.value.stage }
  depends_on      = [ipam_pool_cidr.stage]
}

output "regional_cidrs" {
  description = "Region => its regional pool's CIDR."
  value       = { for r, c in ipam_pool_cidr.regional : r => c.cidr }
}

output "pool_cidrs" {
  description = "region/business unit/stage => the development or production pool's CIDR."
  value       = { for k, c in ipam_pool_cidr.stage : k => c.cidr }
}

output "vpc_cidrs" {
  description = "region/business unit/stage => the CIDR its VPC got."
  value       = { for k, a in ipam_pool_allocation.vpc : k => a.cidr }
}

output "noncompliant_vpcs" {
  description = "VPC allocations that break their pool's rules (none, unless the rules or tags change)."
  value       = [for k, a in ipam_pool_allocation.vpc : k if a.compliance_status != "compliant"]
}

output "pool_count" {
  description = "Pools in the plan: the top-level pool, the regional pools, the development and production pools."
  value       = 1 + length(ipam_pool.regional) + length(ipam_pool.stage)
}
