//! `ipam_preview_next_cidr`: the CIDR fixed at create, disallowed CIDRs, import and drift.

use crate::common;

use common::fixtures::pool_with_cidr;
use common::{Tf, flat};

fn preview_next_cidr_is_fixed_at_create_and_importable() {
    let tf = Tf::new();
    let base = pool_with_cidr("172.2.0.0/24");
    let cfg = |with_alloc: bool| {
        format!(
            r#"{base}
resource "ipam_preview_next_cidr" "next" {{
  ipam_pool_id   = ipam_pool.p.id
  netmask_length = 28
  depends_on     = [ipam_pool_cidr.c]
}}
{}
"#,
            if with_alloc {
                "resource \"ipam_pool_allocation\" \"a\" {\n  ipam_pool_id = ipam_pool.p.id\n  cidr = ipam_preview_next_cidr.next.cidr\n}"
            } else {
                ""
            }
        )
    };
    tf.config(&cfg(false));
    tf.apply();
    assert_eq!(tf.attr("ipam_preview_next_cidr.next", "cidr"), "172.2.0.0/28");
    assert_eq!(
        tf.sql_count("SELECT count(*) FROM allocations"),
        0,
        "a preview reserves nothing"
    );
    tf.import_verify();
    // Allocating the previewed CIDR does not move the preview (no perpetual diff downstream).
    tf.config(&cfg(true));
    tf.apply();
    assert_eq!(tf.attr("ipam_pool_allocation.a", "cidr"), "172.2.0.0/28");
    tf.assert_plan_empty();
    tf.destroy();
}

fn preview_with_disallowed_cidrs_imports_replaces_and_drifts() {
    let tf = Tf::new();
    let base = pool_with_cidr("172.2.0.0/24");
    let cfg = |netmask: u8| {
        format!(
            r#"{base}
resource "ipam_preview_next_cidr" "next" {{
  ipam_pool_id     = ipam_pool.p.id
  netmask_length   = {netmask}
  disallowed_cidrs = ["172.2.0.0/28"]
  depends_on       = [ipam_pool_cidr.c]
}}
"#
        )
    };
    tf.config(&cfg(28));
    tf.apply();
    assert_eq!(tf.attr("ipam_preview_next_cidr.next", "cidr"), "172.2.0.16/28");
    tf.assert_plan_empty();
    let pool = tf.attr("ipam_pool.p", "id");
    let original = tf.values("ipam_preview_next_cidr.next");
    // Import into another workspace whose configuration holds only the preview.
    let only_preview = format!(
        "resource \"ipam_preview_next_cidr\" \"next\" {{\n  ipam_pool_id     = \"{pool}\"\n  netmask_length   = 28\n  disallowed_cidrs = [\"172.2.0.0/28\"]\n}}\n"
    );
    // The ID names the CIDR and the pool only; the disallowed CIDRs follow the CIDR.
    let fresh = Tf::sharing(&tf.db);
    fresh.config(&only_preview);
    fresh.ok(&[
        "import",
        "-input=false",
        "-no-color",
        "ipam_preview_next_cidr.next",
        &format!("172.2.0.16/28,172.2.0.0/28_{pool}"),
    ]);
    assert_eq!(fresh.values("ipam_preview_next_cidr.next"), original, "import verify");
    fresh.assert_plan_empty();
    // With the plain `<cidr>_<pool-id>` the disallowed CIDRs are unknown, and the plan says so by
    // replacing the preview (ForceNew), as documented.
    let plain = Tf::sharing(&tf.db);
    plain.config(&only_preview);
    plain.ok(&[
        "import",
        "-input=false",
        "-no-color",
        "ipam_preview_next_cidr.next",
        &format!("172.2.0.16/28_{pool}"),
    ]);
    assert!(plain.values("ipam_preview_next_cidr.next")["disallowed_cidrs"].is_null());
    let plan = plain.assert_plan_changes();
    assert!(plan.contains("forces replacement"), "{plan}");
    // An import ID whose CIDR overlaps its own disallowed CIDRs is refused.
    let bad = Tf::sharing(&tf.db);
    bad.config(&only_preview);
    let out = flat(&bad.fails(&[
        "import",
        "-input=false",
        "-no-color",
        "ipam_preview_next_cidr.next",
        &format!("172.2.0.0/28,172.2.0.0/28_{pool}"),
    ]));
    assert!(out.contains("overlaps the disallowed CIDR"), "{out}");

    // Replace: a new size previews again, still skipping the disallowed CIDR.
    tf.config(&cfg(27));
    let plan = tf.assert_plan_changes();
    assert!(plan.contains("forces replacement"), "{plan}");
    tf.apply();
    assert_eq!(tf.attr("ipam_preview_next_cidr.next", "cidr"), "172.2.0.32/27");
    tf.assert_plan_empty();

    // Drift: the pool disappears behind Terraform's back, and the preview with it.
    tf.sql(&format!("DELETE FROM pools WHERE id = '{pool}'"));
    let plan = flat(&tf.assert_plan_changes());
    assert!(plan.contains("ipam_preview_next_cidr.next will be created"), "{plan}");
    tf.apply();
    assert_eq!(tf.attr("ipam_preview_next_cidr.next", "cidr"), "172.2.0.32/27");
    tf.assert_plan_empty();
    tf.destroy();
}

backend_tests!(
    preview_next_cidr_is_fixed_at_create_and_importable,
    preview_with_disallowed_cidrs_imports_replaces_and_drifts,
);
