//! AutoMTLS as go-plugin does it: a fresh self-signed server certificate per process, and the
//! client certificate Terraform passes in `PLUGIN_CLIENT_CERT` pinned byte for byte.
//!
//! Terraform's client certificate is a self-signed ECDSA P-521 certificate marked `CA:TRUE`.
//! The stock rustls verifier cannot accept it (webpki refuses a CA certificate as an end entity,
//! and the ring provider has no P-521). So the verifier here pins: the presented certificate must
//! be exactly the one in `PLUGIN_CLIENT_CERT`, and its handshake signature is checked with the
//! certificate's own key, P-521 signatures through the `p521` crate and the rest through ring.
//! Clients without that certificate are refused: this is real mutual TLS.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{WebPkiSupportedAlgorithms, ring};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, Error as TlsError, SignatureScheme};

/// The server's identity: its certificate (DER) and the rustls configuration that serves it.
pub struct ServerTls {
    pub cert_der: Vec<u8>,
    pub config: Arc<rustls::ServerConfig>,
}

/// Builds the TLS server configuration for a client certificate in PEM form.
pub fn server_tls(client_cert_pem: &str) -> Result<ServerTls, String> {
    let client_cert = CertificateDer::from_pem_slice(client_cert_pem.as_bytes())
        .map_err(|e| format!("PLUGIN_CLIENT_CERT is not a PEM certificate: {e}"))?;
    let (cert_der, key_der) = self_signed()?;
    let provider = Arc::new(ring::default_provider());
    let verifier = Arc::new(PinnedClientCert {
        cert: client_cert.into_owned(),
        algorithms: provider.signature_verification_algorithms,
    });
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![CertificateDer::from(cert_der.clone())], key_der)
        .map_err(|e| format!("cannot use the generated server certificate: {e}"))?;
    Ok(ServerTls {
        cert_der,
        config: Arc::new(config),
    })
}

/// A self-signed certificate for `localhost`, shaped like go-plugin's own.
fn self_signed() -> Result<(Vec<u8>, PrivateKeyDer<'static>), String> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose};
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
    let mut params = CertificateParams::new(vec!["localhost".to_string()]).map_err(|e| e.to_string())?;
    params.distinguished_name.push(DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "terraform-provider-ipam");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
        KeyUsagePurpose::KeyAgreement,
        KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth, ExtendedKeyUsagePurpose::ClientAuth];
    let now = std::time::SystemTime::now();
    params.not_before = (now - std::time::Duration::from_secs(30)).into();
    params.not_after = (now + std::time::Duration::from_secs(30 * 24 * 3600)).into();
    let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((cert.der().to_vec(), key_der))
}

#[derive(Debug)]
struct PinnedClientCert {
    cert: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    fn verify(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
        tls13: bool,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        if dss.scheme == SignatureScheme::ECDSA_NISTP521_SHA512 {
            return verify_p521(message, cert, dss.signature());
        }
        if tls13 {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
        } else {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
        }
    }
}

fn verify_p521(message: &[u8], cert: &CertificateDer<'_>, sig_der: &[u8]) -> Result<HandshakeSignatureValid, TlsError> {
    use p521::ecdsa::signature::Verifier;
    let bad = |what: &str| TlsError::General(format!("client certificate signature: {what}"));
    let (_, parsed) =
        x509_parser::parse_x509_certificate(cert.as_ref()).map_err(|_| bad("certificate does not parse"))?;
    let point = parsed.public_key().subject_public_key.data.as_ref();
    let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(|_| bad("not a P-521 key"))?;
    let sig = p521::ecdsa::Signature::from_der(sig_der).map_err(|_| bad("malformed signature"))?;
    key.verify(message, &sig)
        .map_err(|_| TlsError::InvalidCertificate(rustls::CertificateError::BadSignature))?;
    Ok(HandshakeSignatureValid::assertion())
}

impl ClientCertVerifier for PinnedClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }
    fn client_auth_mandatory(&self) -> bool {
        true
    }
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }
    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, TlsError> {
        if end_entity.as_ref() == self.cert.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(TlsError::General(
                "client certificate is not the one given in PLUGIN_CLIENT_CERT".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.verify(message, cert, dss, false)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, TlsError> {
        self.verify(message, cert, dss, true)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        let mut s = self.algorithms.supported_schemes();
        s.push(SignatureScheme::ECDSA_NISTP521_SHA512);
        s
    }
}
