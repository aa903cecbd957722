// Test helper: the STUN messages of tests/data/chromium-loopback-unencrypted.pcap and the ICE
// credentials of the two SDP files of that call.
#pragma once

#include <string>
#include <vector>

#include "ice/ice_lite_agent.hpp"
#include "pcap_reader.hpp"

namespace treff::ice::test {

// The datagrams of the capture that look like STUN (RFC 7983), in capture order.
std::vector<CapturedDatagram> chromiumStunDatagrams();

// First a=ice-ufrag / a=ice-pwd of an SDP file in tests/data.
IceCredentials iceCredentialsFromSdp(const std::string& fileName);

}  // namespace treff::ice::test
