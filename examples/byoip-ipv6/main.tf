# The BYOIP tutorial (IPv6), adapted: an advertisable /48 with proof of ownership, a regional
# pool for EC2, and a VPC's /56 from it.

terraform {
  required_providers {
    ipam = { source = "local/ipam" }
  }
}

provider "ipam" {
  region     = "us-east-1"
  account_id = "123456789012"
}

resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
}

resource "ipam_pool" "top" {
  ipam_scope_id         = ipam.main.public_default_scope_id
  address_family        = "ipv6"
  public_ip_source      = "byoip"
  publicly_advertisable = true
  description           = "top-level IPv6 BYOIP pool"
}

resource "ipam_pool_cidr" "top" {
  ipam_pool_id = ipam_pool.top.id
  cidr         = "2605:9cc0:409::/48"
  cidr_authorization_context {
    message   = "1|aws|123456789012|2605:9cc0:409::/48|20991231|SHA256|RSAPSS"
    signature = "signed-authorization-message"
  }
}

resource "ipam_pool" "regional" {
  ipam_scope_id         = ipam.main.public_default_scope_id
  address_family        = "ipv6"
  locale                = "us-east-1"
  aws_service           = "ec2"
  publicly_advertisable = true
  source_ipam_pool_id   = ipam_pool.top.id
}

resource "ipam_pool_cidr" "regional" {
  ipam_pool_id   = ipam_pool.regional.id
  netmask_length = 48
  depends_on     = [ipam_pool_cidr.top]
}

resource "ipam_pool_allocation" "vpc" {
  ipam_pool_id    = ipam_pool.regional.id
  netmask_length  = 56
  resource_type   = "vpc"
  resource_id     = "vpc-00b5573ffc3b31a29"
  resource_region = "us-east-1"
  depends_on      = [ipam_pool_cidr.regional]
}

output "vpc_ipv6_cidr" {
  value = ipam_pool_allocation.vpc.cidr
}
