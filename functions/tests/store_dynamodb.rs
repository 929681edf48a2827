//! The store contract on the DynamoDB backend, against a local
//! DynamoDB-compatible server (moto) that the tests start themselves.

#[path = "common/dynamodb.rs"]
mod dynamodb;

storefront_store::store_conformance!(dynamodb::store());
