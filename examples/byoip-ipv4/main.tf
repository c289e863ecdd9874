# The BYOIP tutorial (IPv4), adapted: a top-level public pool holds your own /24 with proof of
# ownership; a regional pool for EC2 takes it without proof; a public IPv4 pool of EC2 takes its
# space from the regional pool.

terraform {
  required_providers {
    ipam = { source = "local/ipam" }
  }
}

provider "ipam" {
  region     = "us-east-1"
  account_id = "123456789012"
}

variable "byoip_cidr" {
  default = "130.137.245.0/24"
}

variable "signature" {
  description = "The authorization message signed with your RDAP certificate's key."
  default     = "signed-authorization-message"
  sensitive   = true
}

resource "ipam" "main" {
  operating_regions { region_name = "us-east-1" }
  operating_regions { region_name = "us-west-2" }
}

resource "ipam_pool" "top" {
  ipam_scope_id    = ipam.main.public_default_scope_id
  address_family   = "ipv4"
  public_ip_source = "byoip"
  description      = "top-level BYOIP pool"
}

resource "ipam_pool_cidr" "top" {
  ipam_pool_id = ipam_pool.top.id
  cidr         = var.byoip_cidr
  cidr_authorization_context {
    message   = "1|aws|123456789012|${var.byoip_cidr}|20991231|SHA256|RSAPSS"
    signature = var.signature
  }
}

resource "ipam_pool" "regional" {
  ipam_scope_id       = ipam.main.public_default_scope_id
  address_family      = "ipv4"
  locale              = "us-west-2"
  aws_service         = "ec2"
  source_ipam_pool_id = ipam_pool.top.id
  description         = "regional BYOIP pool"
}

resource "ipam_pool_cidr" "regional" {
  ipam_pool_id   = ipam_pool.regional.id
  netmask_length = 24
  depends_on     = [ipam_pool_cidr.top]
}

resource "ipam_pool_allocation" "public_ipv4_pool" {
  ipam_pool_id    = ipam_pool.regional.id
  netmask_length  = 24
  resource_type   = "ec2-public-ipv4-pool"
  resource_id     = "ipv4pool-ec2-0019eed22a684e0b2"
  resource_region = "us-west-2"
  depends_on      = [ipam_pool_cidr.regional]
}

output "public_ipv4_pool_cidr" {
  value = ipam_pool_allocation.public_ipv4_pool.cidr
}
