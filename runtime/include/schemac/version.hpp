// The runtime's version. Generated headers check it at compile time.
#pragma once
#define SCHEMAC_RUNTIME_VERSION 2
namespace schemac::runtime {
int version();
}
