//! Acknowledged messages survive a `kill -9` of the server: they are in the same fsync'd
//! store as the async event queue.

use super::{create_queue, sqs_client};
use crate::support::TestServer;

#[tokio::test]
async fn sent_messages_survive_a_crash() {
    let mut server = TestServer::start();
    let sqs = sqs_client(&server.url);
    let url = create_queue(&sqs, "durable", &[]).await;
    for i in 0..5 {
        sqs.send_message()
            .queue_url(&url)
            .message_body(format!("m{i}"))
            .send()
            .await
            .expect("send");
    }
    server.kill9();

    let restarted = TestServer::start_in(&server.data, &[]);
    let sqs = sqs_client(&restarted.url);
    // The URL from before names the queue; only its host changed.
    let url = sqs
        .get_queue_url()
        .queue_name("durable")
        .send()
        .await
        .expect("url")
        .queue_url
        .expect("url");
    let got = sqs
        .receive_message()
        .queue_url(&url)
        .max_number_of_messages(10)
        .send()
        .await
        .expect("receive");
    let mut bodies: Vec<&str> = got.messages().iter().filter_map(|m| m.body()).collect();
    bodies.sort_unstable();
    assert_eq!(bodies, ["m0", "m1", "m2", "m3", "m4"]);
}
