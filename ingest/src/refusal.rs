//! Refusals: a broker or a NameNode that answers but will not let us in.
//! A wrong SASL password, a certificate no trusted CA signed, a missing
//! or expired Kerberos ticket, a missing permission: no retry can help
//! until someone changes the credentials, so each ends the run at once
//! with [`crate::Error::Denied`] (exit 5), its cause and what to do,
//! never as "cannot reach" after the connect timeout.
//!
//! librdkafka reports a refused connection in the background, then retries
//! it for ever; a request that then times out says only "transport
//! failure". The first refusal the process saw is kept here, so that the
//! timeout can say why.

use std::sync::Mutex;

use hdfs_native::HdfsError;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

/// Whether librdkafka's `code` means the brokers refused us.
pub fn is_kafka_refusal(code: RDKafkaErrorCode) -> bool {
    use RDKafkaErrorCode::*;
    matches!(
        code,
        Authentication
            | SSL
            | SaslAuthenticationFailed
            | UnsupportedSASLMechanism
            | IllegalSASLState
            | TopicAuthorizationFailed
            | GroupAuthorizationFailed
            | ClusterAuthorizationFailed
            | TransactionalIdAuthorizationFailed
            | DelegationTokenAuthorizationFailed
    )
}

/// What to do about a refusal that `reason` (librdkafka's words) describes.
fn kafka_hint(code: RDKafkaErrorCode, reason: &str) -> &'static str {
    use RDKafkaErrorCode::*;
    match code {
        SSL if reason.contains("certificate verify failed") => {
            "no CA in ssl.ca.location signed the broker's certificate: give the CA of the brokers' certificates"
        }
        SSL => "check the TLS settings (ssl.*) against the listener's",
        Authentication | SaslAuthenticationFailed | IllegalSASLState => {
            "check sasl.username and sasl.password (in the -F file or LOGMR_X_SASL_PASSWORD) and sasl.mechanisms"
        }
        UnsupportedSASLMechanism => "use a mechanism the listener enables (sasl.mechanisms)",
        _ => "ask for the ACLs this user needs on the topic and the group",
    }
}

/// The first refusal reported by any Kafka client of this process.
static FIRST_KAFKA: Mutex<Option<String>> = Mutex::new(None);

/// Notes `error` when it is a refusal; returns whether it was.
pub fn note_kafka(error: &KafkaError, reason: &str) -> bool {
    let Some(code) = error.rdkafka_error_code().filter(|&c| is_kafka_refusal(c)) else {
        return false;
    };
    let mut first = FIRST_KAFKA.lock().unwrap_or_else(|p| p.into_inner());
    first.get_or_insert_with(|| format!("{reason}; {}", kafka_hint(code, reason)));
    true
}

/// The first refusal any Kafka client of this process was given.
pub fn kafka_refusal() -> Option<String> {
    FIRST_KAFKA
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone()
}

/// The first line of a message: a NameNode's exception carries its Java
/// stack trace after it.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default().trim()
}

/// Why the NameNode (or the Kerberos library on its way there) refused
/// us, with what to do; `None` when `e` is not a refusal.
pub fn of_hdfs(e: &HdfsError) -> Option<String> {
    match e {
        HdfsError::GSSAPIError(_, _, message) => Some(kerberos(message)),
        HdfsError::RPCError(class, message) | HdfsError::FatalRPCError(class, message)
            if class.ends_with("AccessControlException") =>
        {
            Some(format!(
                "the NameNode refused: {}; ask for the permission, or use a store this user owns",
                first_line(message)
            ))
        }
        HdfsError::RPCError(class, message) | HdfsError::FatalRPCError(class, message)
            if class.ends_with("SaslException") || class.ends_with("InvalidToken") =>
        {
            Some(format!(
                "the NameNode refused the authentication: {}",
                first_line(message)
            ))
        }
        HdfsError::SASLError(message) => Some(format!(
            "the NameNode refused the authentication: {}",
            first_line(message)
        )),
        HdfsError::NoSASLMechanism => Some(
            "the NameNode and this client share no authentication method: a Kerberized \
             cluster needs hadoop.security.authentication=kerberos in $HADOOP_CONF_DIR"
                .into(),
        ),
        _ => None,
    }
}

/// A Kerberos failure in the words of a user who runs `kinit`.
fn kerberos(message: &str) -> String {
    let message = first_line(message);
    let what = if message.contains("No Kerberos credentials available")
        || message.contains("No credentials cache found")
    {
        "no Kerberos ticket: run kinit (kinit -kt KEYTAB PRINCIPAL for a service)"
    } else if message.contains("expired") {
        "the Kerberos ticket has expired: run kinit again (or renew it with kinit -R)"
    } else {
        "Kerberos authentication failed: check the ticket (klist) and KRB5_CONFIG"
    };
    format!("{what} ({message})")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_are_told_from_outages() {
        assert!(is_kafka_refusal(RDKafkaErrorCode::Authentication));
        assert!(is_kafka_refusal(RDKafkaErrorCode::SSL));
        assert!(is_kafka_refusal(RDKafkaErrorCode::TopicAuthorizationFailed));
        assert!(!is_kafka_refusal(RDKafkaErrorCode::AllBrokersDown));
        assert!(!is_kafka_refusal(RDKafkaErrorCode::BrokerTransportFailure));
        let outage = KafkaError::Global(RDKafkaErrorCode::AllBrokersDown);
        assert!(!note_kafka(&outage, "1/1 brokers are down"));
    }

    #[test]
    fn hdfs_refusals_keep_the_first_line_and_say_what_to_do() {
        let denied = HdfsError::RPCError(
            "org.apache.hadoop.security.AccessControlException".into(),
            "Permission denied: user=reader, access=WRITE\n\tat org.apache.Foo(Foo.java:1)".into(),
        );
        let text = of_hdfs(&denied).unwrap();
        assert!(text.contains("user=reader"), "{text}");
        assert!(!text.contains("Foo.java"), "{text}");
        let outage = HdfsError::RPCError("java.io.IOException".into(), "busy".into());
        assert_eq!(of_hdfs(&outage), None);
        assert!(
            kerberos("No Kerberos credentials available (default cache: FILE:/x)")
                .starts_with("no Kerberos ticket")
        );
        assert!(
            kerberos("Unspecified GSS failure.  Minor code: Ticket expired")
                .starts_with("the Kerberos ticket has expired")
        );
    }
}
