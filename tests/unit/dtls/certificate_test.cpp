#include "dtls/certificate.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cctype>
#include <ctime>
#include <vector>

#include "util/encoding.hpp"

namespace treff::dtls {
namespace {

// SHA-256 over the DER encoding, computed apart from certificateDigest (RFC 8122 §5).
std::vector<uint8_t> derSha256(x509_st* certificate) {
  unsigned char* der = nullptr;
  const int length = i2d_X509(certificate, &der);
  EXPECT_GT(length, 0);
  std::vector<uint8_t> digest(32);
  unsigned int digestLength = 0;
  EXPECT_EQ(EVP_Digest(der, static_cast<size_t>(length), digest.data(), &digestLength, EVP_sha256(),
                       nullptr),
            1);
  OPENSSL_free(der);
  EXPECT_EQ(digestLength, 32u);
  return digest;
}

TEST(Certificate, FingerprintIsUpperCaseColonHexOfDerSha256) {
  Certificate certificate;
  const std::string& fp = certificate.fingerprintSha256();
  ASSERT_EQ(fp.size(), 32u * 3 - 1);
  for (size_t i = 0; i < fp.size(); ++i) {
    if (i % 3 == 2) {
      EXPECT_EQ(fp[i], ':') << i;
    } else {
      EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(fp[i])) || (fp[i] >= 'A' && fp[i] <= 'F'))
          << i;
    }
  }
  EXPECT_EQ(util::fromHex(fp).value(), derSha256(certificate.x509()));
}

TEST(Certificate, IsSelfSignedP256ValidFromYesterdayForThirtyDays) {
  Certificate certificate;
  X509* x509 = certificate.x509();
  EVP_PKEY* key = certificate.privateKey();
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  char group[32] = {};
  size_t groupLength = 0;
  ASSERT_EQ(EVP_PKEY_get_group_name(key, group, sizeof group, &groupLength), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_EQ(X509_verify(x509, key), 1);
  EXPECT_EQ(X509_NAME_cmp(X509_get_subject_name(x509), X509_get_issuer_name(x509)), 0);
  EXPECT_EQ(X509_get_version(x509), X509_VERSION_3);

  time_t now = time(nullptr);
  EXPECT_LT(X509_cmp_time(X509_get0_notBefore(x509), &now), 0);
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(x509), &now), 0);
  time_t in29Days = now + 29 * 86400;
  time_t in31Days = now + 31 * 86400;
  EXPECT_GT(X509_cmp_time(X509_get0_notAfter(x509), &in29Days), 0);
  EXPECT_LT(X509_cmp_time(X509_get0_notAfter(x509), &in31Days), 0);
}

TEST(Certificate, EachCertificateHasItsOwnKeySerialAndName) {
  Certificate a;
  Certificate b;
  EXPECT_NE(a.fingerprintSha256(), b.fingerprintSha256());
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get_serialNumber(a.x509()), X509_get_serialNumber(b.x509())), 0);
  EXPECT_NE(X509_NAME_cmp(X509_get_subject_name(a.x509()), X509_get_subject_name(b.x509())), 0);
  EXPECT_EQ(EVP_PKEY_eq(a.privateKey(), b.privateKey()), 0);
}

TEST(Certificate, MovedCertificateKeepsIdentity) {
  Certificate a;
  const std::string fp = a.fingerprintSha256();
  Certificate b(std::move(a));
  EXPECT_EQ(b.fingerprintSha256(), fp);
  EXPECT_EQ(a.x509(), nullptr);
  Certificate c;
  c = std::move(b);
  EXPECT_EQ(c.fingerprintSha256(), fp);
}

TEST(Certificate, DigestSupportsSdpHashNamesCaseInsensitively) {
  Certificate certificate;
  EXPECT_EQ(fingerprintLength("sha-1"), 20u);
  EXPECT_EQ(fingerprintLength("SHA-256"), 32u);
  EXPECT_EQ(fingerprintLength("sha-384"), 48u);
  EXPECT_EQ(fingerprintLength("sha-512"), 64u);
  EXPECT_EQ(fingerprintLength("md5"), 0u);
  EXPECT_EQ(fingerprintLength("sha256"), 0u);
  EXPECT_EQ(certificateDigest(certificate.x509(), "Sha-256"), derSha256(certificate.x509()));
  EXPECT_EQ(certificateDigest(certificate.x509(), "sha-512").size(), 64u);
  EXPECT_TRUE(certificateDigest(certificate.x509(), "md5").empty());
}

}  // namespace
}  // namespace treff::dtls
