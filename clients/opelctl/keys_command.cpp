// `opelctl keys`: a new CURVE key pair for ZeroMQ, printed as Z85. The secret
// goes into the file named by zmq.curve.secret_key_file (server) or stays
// with the client; the public key goes into zmq.curve.ingest_public_keys or
// zmq.curve.publish_public_keys, by what the client may do.
#include "commands.hpp"

#include "zmq/curve.hpp"

#include <iostream>

namespace opel::ctl {

void add_keys_command(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand("keys", "Generate a CURVE key pair for ZeroMQ (Z85)");
    cmd->callback([&exit_code] {
        const auto [pub, secret] = zmq::generate_curve_keypair();
        std::cout << "public: " << pub << "\nsecret: " << secret << '\n';
        exit_code = 0;
    });
}

} // namespace opel::ctl
