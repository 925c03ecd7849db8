//! The AWS query protocol, shared by the services that speak it (SNS, and SQS for older SDKs):
//! form-encoded requests (`form.rs`) and XML answers (`xml.rs`). Only the generic wire rules
//! live here; each service's member names, namespace and error codes stay in its own folder.

pub(crate) mod form;
pub(crate) mod xml;

pub(crate) use form::Form;
pub(crate) use xml::Xml;
