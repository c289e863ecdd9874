variable "name" {
  type = string
}

variable "ipam_scope_id" {
  type = string
}

variable "parent_id" {
  type = string
}

variable "cidr" {
  type = string
}

variable "locale" {
  type = string
}

resource "aws_vpc_ipam_pool" "this" {
  address_family                    = "ipv4"
  ipam_scope_id                     = var.ipam_scope_id
  source_ipam_pool_id               = var.parent_id
  locale                            = var.locale
  description                       = var.name
  allocation_default_netmask_length = 24
  allocation_min_netmask_length     = 20
  allocation_max_netmask_length     = 28

  tags = {
    Name = var.name
  }
}

resource "aws_vpc_ipam_pool_cidr" "this" {
  ipam_pool_id = aws_vpc_ipam_pool.this.id
  cidr         = var.cidr
}

resource "aws_vpc_ipam_pool_cidr_allocation" "reserved" {
  ipam_pool_id   = aws_vpc_ipam_pool.this.id
  netmask_length = 24
  description    = "reserved for ${var.name}"

  depends_on = [aws_vpc_ipam_pool_cidr.this]
}

resource "aws_vpc_ipam_preview_next_cidr" "next" {
  ipam_pool_id   = aws_vpc_ipam_pool.this.id
  netmask_length = 24

  depends_on = [aws_vpc_ipam_pool_cidr_allocation.reserved]
}

data "aws_vpc_ipam_pool_cidrs" "this" {
  ipam_pool_id = aws_vpc_ipam_pool.this.id

  depends_on = [aws_vpc_ipam_pool_cidr.this]
}

output "pool_id" {
  value = aws_vpc_ipam_pool.this.id
}

output "pool_arn" {
  value = aws_vpc_ipam_pool.this.arn
}

output "next_cidr" {
  value = aws_vpc_ipam_preview_next_cidr.next.cidr
}

output "cidrs" {
  value = data.aws_vpc_ipam_pool_cidrs.this.ipam_pool_cidrs
}
