# An IPAM laid out the way published modules for hashicorp/aws lay it out: a root module, a
# module for the IPAM, a nested module per regional pool (for_each), dynamic blocks, and RAM
# shares to an account and to an organizational unit. Written for hashicorp/aws 6.x; nothing in it
# names the local provider.
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      ManagedBy = "terraform"
    }
  }
}

variable "regional_pools" {
  type = map(object({
    cidr   = string
    locale = string
  }))
  default = {
    east = { cidr = "10.0.0.0/16", locale = "us-east-1" }
    west = { cidr = "10.1.0.0/16", locale = "us-west-2" }
  }
}

variable "consumers" {
  type    = list(string)
  default = ["111111111111", "arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-a1b2-c3d4e5f6"]
}

module "ipam" {
  source         = "./modules/ipam"
  regional_pools = var.regional_pools
  consumers      = var.consumers
}

output "ipam_id" {
  value = module.ipam.ipam_id
}

output "pool_ids" {
  value = module.ipam.pool_ids
}

output "previews" {
  value = module.ipam.previews
}
