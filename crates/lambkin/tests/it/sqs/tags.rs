//! Queue tags with the AWS SDK for Rust (JSON protocol): `tags` on CreateQueue, TagQueue,
//! UntagQueue and ListQueueTags, CreateQueue of an existing queue with other tags, the 50-tag
//! quota and the key and value limits, a missing queue, and tags kept across a `kill -9`.

use std::collections::HashMap;

use aws_sdk_sqs::error::ProvideErrorMetadata;

use super::{code_and_message, create_queue, sqs_client};
use crate::support::TestServer;

fn tags(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// `n` tags `k0`…: `v`.
fn numbered(n: usize, from: usize) -> HashMap<String, String> {
    (from..from + n)
        .map(|i| (format!("k{i}"), "v".to_string()))
        .collect()
}

async fn list(sqs: &aws_sdk_sqs::Client, url: &str) -> HashMap<String, String> {
    sqs.list_queue_tags()
        .queue_url(url)
        .send()
        .await
        .expect("list tags")
        .tags
        .unwrap_or_default()
}

async fn create_tagged(
    sqs: &aws_sdk_sqs::Client,
    name: &str,
    given: HashMap<String, String>,
) -> Result<String, (String, String)> {
    sqs.create_queue()
        .queue_name(name)
        .set_tags(Some(given))
        .send()
        .await
        .map(|out| out.queue_url.expect("url"))
        .map_err(|e| {
            (
                e.code().unwrap_or_default().to_string(),
                e.message().unwrap_or_default().to_string(),
            )
        })
}

#[tokio::test]
async fn queue_tags_are_created_added_removed_and_listed() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_tagged(&sqs, "tagged", tags(&[("team", "orders"), ("env", "")]))
        .await
        .expect("create with tags");
    assert_eq!(
        list(&sqs, &url).await,
        tags(&[("team", "orders"), ("env", "")])
    );

    // A new key is added and an existing one overwritten; the rest stay.
    sqs.tag_queue()
        .queue_url(&url)
        .tags("team", "billing")
        .tags("cost-center", "42")
        .send()
        .await
        .expect("tag");
    assert_eq!(
        list(&sqs, &url).await,
        tags(&[("team", "billing"), ("env", ""), ("cost-center", "42")])
    );
    // Keys are case-sensitive.
    sqs.tag_queue()
        .queue_url(&url)
        .tags("Team", "x")
        .send()
        .await
        .expect("tag");
    assert_eq!(list(&sqs, &url).await["Team"], "x");

    // Removing ignores keys the queue does not have.
    sqs.untag_queue()
        .queue_url(&url)
        .tag_keys("env")
        .tag_keys("Team")
        .tag_keys("never-set")
        .send()
        .await
        .expect("untag");
    assert_eq!(
        list(&sqs, &url).await,
        tags(&[("team", "billing"), ("cost-center", "42")])
    );
    sqs.untag_queue()
        .queue_url(&url)
        .tag_keys("team")
        .tag_keys("cost-center")
        .send()
        .await
        .expect("untag all");
    // A queue without tags answers without `Tags`, as AWS does.
    let untagged = sqs
        .list_queue_tags()
        .queue_url(&url)
        .send()
        .await
        .expect("list");
    assert_eq!(untagged.tags, None);

    // Tags are the queue's own: a queue created without them has none, and attributes do not
    // show up as tags.
    let plain = create_queue(&sqs, "plain", &[("DelaySeconds", "1")]).await;
    assert_eq!(list(&sqs, &plain).await, HashMap::new());
}

/// CreateQueue of an existing queue returns it when every given tag is there with the same
/// value, or when no tags are given; tags it does not have are `QueueNameExists`, even when it
/// has none, and change nothing.
#[tokio::test]
async fn create_queue_of_an_existing_queue_compares_the_given_tags() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let given = tags(&[("team", "orders"), ("env", "prod")]);
    let url = create_tagged(&sqs, "existing", given.clone())
        .await
        .expect("create");

    assert_eq!(
        create_tagged(&sqs, "existing", given.clone()).await,
        Ok(url.clone())
    );
    assert_eq!(
        create_tagged(&sqs, "existing", tags(&[("team", "orders")])).await,
        Ok(url.clone())
    );
    assert_eq!(create_queue(&sqs, "existing", &[]).await, url);

    let conflict = (
        "QueueAlreadyExists".to_string(),
        "A queue already exists with the same name and different tags".to_string(),
    );
    for other in [
        tags(&[("team", "billing")]),
        tags(&[("team", "orders"), ("new", "x")]),
    ] {
        assert_eq!(
            create_tagged(&sqs, "existing", other.clone()).await,
            Err(conflict.clone()),
            "{other:?}"
        );
    }
    let typed = sqs
        .create_queue()
        .queue_name("existing")
        .tags("team", "billing")
        .send()
        .await
        .expect_err("conflict");
    assert!(
        typed
            .as_service_error()
            .is_some_and(|e| e.is_queue_name_exists()),
        "{typed:?}"
    );
    assert_eq!(list(&sqs, &url).await, given);

    create_queue(&sqs, "untagged", &[]).await;
    assert_eq!(
        create_tagged(&sqs, "untagged", tags(&[("team", "orders")])).await,
        Err(conflict)
    );
}

#[tokio::test]
async fn queue_tags_refuse_what_aws_refuses() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_tagged(&sqs, "limits", numbered(49, 0))
        .await
        .expect("49 tags");

    let invalid = |message: &str| ("InvalidParameterValue".to_string(), message.to_string());
    // The 50th tag fits; a 51st is refused, also when it comes with one that overwrites.
    sqs.tag_queue()
        .queue_url(&url)
        .set_tags(Some(numbered(2, 48)))
        .send()
        .await
        .expect("to 50 tags");
    assert_eq!(list(&sqs, &url).await.len(), 50);
    assert_eq!(
        code_and_message(
            sqs.tag_queue()
                .queue_url(&url)
                .set_tags(Some(numbered(2, 49)))
                .send()
                .await
        ),
        invalid("Too many tags added for queue limits.")
    );
    assert_eq!(list(&sqs, &url).await, numbered(50, 0));

    let long_key = "k".repeat(129);
    let long_value = "v".repeat(257);
    let cases = [
        (
            tags(&[(long_key.as_str(), "v")]),
            "Tag keys must be between 1 and 128 characters in length.",
        ),
        (
            tags(&[("", "v")]),
            "Tag keys must be between 1 and 128 characters in length.",
        ),
        (
            tags(&[("k", long_value.as_str())]),
            "Tag values must be between 0 and 256 characters in length.",
        ),
        (
            tags(&[("aws:cost", "v")]),
            "Tag key aws:cost is invalid: keys starting with aws: are reserved for use by AWS.",
        ),
    ];
    let fresh = create_queue(&sqs, "fresh", &[]).await;
    for (given, message) in cases {
        assert_eq!(
            code_and_message(
                sqs.tag_queue()
                    .queue_url(&fresh)
                    .set_tags(Some(given.clone()))
                    .send()
                    .await
            ),
            invalid(message),
            "{given:?}"
        );
    }
    // The longest key and value fit.
    let longest = tags(&[(&"k".repeat(128), &"v".repeat(256))]);
    sqs.tag_queue()
        .queue_url(&fresh)
        .set_tags(Some(longest.clone()))
        .send()
        .await
        .expect("longest key and value");
    assert_eq!(list(&sqs, &fresh).await, longest);

    assert_eq!(
        code_and_message(sqs.tag_queue().queue_url(&fresh).send().await),
        (
            "MissingParameter".to_string(),
            "The request must contain the parameter Tags.".to_string()
        )
    );
    assert_eq!(
        code_and_message(sqs.untag_queue().queue_url(&fresh).send().await),
        invalid("Tag keys must be between 1 and 128 characters in length.")
    );

    // CreateQueue with too many tags creates nothing.
    assert_eq!(
        create_tagged(&sqs, "crowded", numbered(51, 0)).await,
        Err(invalid("Too many tags added for queue crowded."))
    );
    let missing = sqs.get_queue_url().queue_name("crowded").send().await;
    assert!(
        missing
            .expect_err("not created")
            .as_service_error()
            .is_some_and(|e| e.is_queue_does_not_exist())
    );
}

#[tokio::test]
async fn tagging_a_missing_queue_is_queue_does_not_exist() {
    let server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = format!("{}/000000000000/nowhere", server.url);
    let no_queue = (
        "AWS.SimpleQueueService.NonExistentQueue".to_string(),
        "The specified queue does not exist.".to_string(),
    );
    let tagged = sqs.tag_queue().queue_url(&url).tags("k", "v").send().await;
    assert!(
        tagged
            .as_ref()
            .expect_err("missing")
            .as_service_error()
            .is_some_and(|e| e.is_queue_does_not_exist())
    );
    assert_eq!(code_and_message(tagged), no_queue);
    let untagged = sqs.untag_queue().queue_url(&url).tag_keys("k").send().await;
    assert!(
        untagged
            .as_ref()
            .expect_err("missing")
            .as_service_error()
            .is_some_and(|e| e.is_queue_does_not_exist())
    );
    assert_eq!(code_and_message(untagged), no_queue);
    let listed = sqs.list_queue_tags().queue_url(&url).send().await;
    assert!(
        listed
            .as_ref()
            .expect_err("missing")
            .as_service_error()
            .is_some_and(|e| e.is_queue_does_not_exist())
    );
    assert_eq!(code_and_message(listed), no_queue);

    // A deleted queue takes its tags with it: one of the same name starts without them.
    let url = create_tagged(&sqs, "reborn", tags(&[("k", "v")]))
        .await
        .expect("create");
    sqs.delete_queue()
        .queue_url(&url)
        .send()
        .await
        .expect("delete");
    let url = create_queue(&sqs, "reborn", &[]).await;
    assert_eq!(list(&sqs, &url).await, HashMap::new());
}

#[tokio::test]
async fn queue_tags_survive_a_crash() {
    let mut server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_tagged(&sqs, "durable-tags", tags(&[("team", "orders")]))
        .await
        .expect("create");
    sqs.tag_queue()
        .queue_url(&url)
        .tags("env", "prod")
        .send()
        .await
        .expect("tag");
    server.kill9();

    let restarted = TestServer::start_in(&server.data, &[]);
    let sqs = sqs_client(&restarted.url);
    let url = sqs
        .get_queue_url()
        .queue_name("durable-tags")
        .send()
        .await
        .expect("url")
        .queue_url
        .expect("url");
    assert_eq!(
        list(&sqs, &url).await,
        tags(&[("team", "orders"), ("env", "prod")])
    );
}
