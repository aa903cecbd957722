// The delay baseline (--reflector HOST:PORT): the same rooms, publishers, media sources and
// MediaStamps as a server run, but no server, no signaling and no ICE, DTLS or SRTP. Each
// participant has one plain UDP socket connected to a UDP reflector (treff-ceiling
// --reflector PORT), read by the --threads receive loops. A sender thread plays the SFU's
// fan-out: each packet a publisher builds goes out through the publisher's own socket once per
// other member of its room (sendmmsg, 16 copies a call, the send time stamped just before each
// call), the stamp of each copy naming the member it stands for; the reflector returns every
// copy to the publisher's socket, where each member's copies count as that member's flow.
// So the run moves the same packets, sizes and total rate as a server run, and in rooms where
// everyone publishes (S1, S2, S4) every socket receives the same rate as a subscriber would;
// with one publisher (S3) its socket receives what all subscribers would. A copy's one-way delay
// is the send, the kernel's loopback path both ways, the reflector and the loadgen's receive:
// what a server run measures minus the server.
#pragma once

#include "scenario.hpp"

namespace treff::loadgen {

ScenarioResult runReflectorScenario(const ScenarioOptions& options);

}  // namespace treff::loadgen
