//! The global secondary indexes of `shared::resources::INDEXES`, added to a
//! table's create request (the template declares the same; a test checks).

use aws_sdk_dynamodb::operation::create_table::builders::CreateTableFluentBuilder;
use aws_sdk_dynamodb::types::{GlobalSecondaryIndex, KeyType, Projection, ProjectionType};

use shared::resources::INDEXES;

/// Adds the indexes declared for `logical_id` (and their key attributes).
pub fn with_indexes(
    mut req: CreateTableFluentBuilder,
    logical_id: &str,
) -> Result<CreateTableFluentBuilder, aws_sdk_dynamodb::error::BuildError> {
    let mut defined: Vec<&str> = vec!["pk", "sk"];
    for spec in INDEXES
        .iter()
        .flat_map(|l| l.iter())
        .filter(|i| i.table == logical_id)
    {
        for k in [spec.partition_key, spec.sort_key] {
            if !defined.contains(&k) {
                defined.push(k);
                req = req.attribute_definitions(crate::bootstrap::attr(k));
            }
        }
        req = req.global_secondary_indexes(
            GlobalSecondaryIndex::builder()
                .index_name(spec.name)
                .key_schema(crate::bootstrap::key(spec.partition_key, KeyType::Hash))
                .key_schema(crate::bootstrap::key(spec.sort_key, KeyType::Range))
                .projection(if spec.include.is_empty() {
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build()
                } else {
                    Projection::builder()
                        .projection_type(ProjectionType::Include)
                        .set_non_key_attributes(Some(
                            spec.include.iter().map(|a| a.to_string()).collect(),
                        ))
                        .build()
                })
                .build()?,
        );
    }
    Ok(req)
}
