#pragma once
// "Ship it": a deployment bundle for the server the console runs, as files for a folder the user
// picks: the production config with the user's upstream servers (secrets as ${VAR} placeholders
// the deployment fills in, a fresh client token's hash), a Compose override and a Kubernetes
// ConfigMap that carry it, a Dockerfile adding what the upstreams need to run (their runtimes), and
// notes saying what is left to do by hand.
#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace prodmcp::console {

struct BundleInput {
  QJsonObject running_config;  // the server's GET /config (print-config's JSON)
  QString image_tag;           // the prodmcp-server image the Dockerfile extends, e.g. "0.1.0"
  QString client_token;        // the production clients' bearer token; only its hash is in the config
  QString admin_token;         // the admin port's (/logs, /config, ...); likewise
};

struct DeploymentBundle {
  QMap<QString, QByteArray> files;  // by name within the folder
  // Variables the deployment must set (masked secrets of the upstreams, as ${VAR} in the config).
  QStringList secret_variables;
  // Local files and folders the upstreams' commands name: they must be in the image.
  QStringList local_paths;
  QStringList upstreams;
};

DeploymentBundle make_bundle(BundleInput const& input);

// Writes every file into `directory` (made if missing); refuses to overwrite a bundle's file
// already there. The tokens file is readable by its owner only, from its first byte.
bool write_bundle(DeploymentBundle const& bundle, QString const& directory, QString& error);

// The file holding the tokens in a written bundle.
inline constexpr char kTokensFile[] = "tokens.txt";

}  // namespace prodmcp::console
