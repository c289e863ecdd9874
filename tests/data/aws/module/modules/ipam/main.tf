variable "regional_pools" {
  type = map(object({
    cidr   = string
    locale = string
  }))
}

variable "consumers" {
  type = list(string)
}

data "aws_region" "current" {}

data "aws_caller_identity" "current" {}

locals {
  regions = distinct(concat([data.aws_region.current.region], [for p in var.regional_pools : p.locale]))
}

resource "aws_vpc_ipam" "this" {
  description = "ipam of ${data.aws_caller_identity.current.account_id}"
  tier        = "advanced"

  dynamic "operating_regions" {
    for_each = local.regions
    content {
      region_name = operating_regions.value
    }
  }

  tags = {
    Name = "main"
  }
}

resource "aws_vpc_ipam_scope" "lab" {
  ipam_id     = aws_vpc_ipam.this.id
  description = "lab"
}

resource "aws_vpc_ipam_pool" "top" {
  address_family = "ipv4"
  ipam_scope_id  = aws_vpc_ipam.this.private_default_scope_id
  description    = "top"
}

resource "aws_vpc_ipam_pool_cidr" "top" {
  ipam_pool_id = aws_vpc_ipam_pool.top.id
  cidr         = "10.0.0.0/8"
}

module "regional" {
  source   = "../regional"
  for_each = var.regional_pools

  name          = each.key
  ipam_scope_id = aws_vpc_ipam.this.private_default_scope_id
  parent_id     = aws_vpc_ipam_pool.top.id
  cidr          = each.value.cidr
  locale        = each.value.locale

  depends_on = [aws_vpc_ipam_pool_cidr.top]
}

resource "aws_ram_resource_share" "pools" {
  name                      = "regional-pools"
  allow_external_principals = false
}

resource "aws_ram_resource_association" "pools" {
  for_each           = module.regional
  resource_arn       = each.value.pool_arn
  resource_share_arn = aws_ram_resource_share.pools.arn
}

resource "aws_ram_principal_association" "consumers" {
  for_each           = toset(var.consumers)
  principal          = each.value
  resource_share_arn = aws_ram_resource_share.pools.arn
}

data "aws_vpc_ipams" "all" {
  ipam_ids = [aws_vpc_ipam.this.id]
}

output "ipam_id" {
  value = aws_vpc_ipam.this.id
}

output "pool_ids" {
  value = { for k, m in module.regional : k => m.pool_id }
}

output "previews" {
  value = { for k, m in module.regional : k => m.next_cidr }
}
