#include "ship/deployment_bundle.hpp"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <map>
#include <set>

#include "admin/admin_request.hpp"
#include "config/value.hpp"

namespace prodmcp::console {

namespace {

constexpr char kMasked[] = "****";  // how print-config shows a secret

// What the production server needs whatever it fronts; the same choices as installers/k8s.
constexpr char kProductionBase[] = R"([server]
# The hash of the admin token in tokens.txt: /logs, /config and the console need it.
admin_token_hash = "%2"
# Beyond loopback: the container's published port, the Service, the probes and Prometheus reach it.
listen = "0.0.0.0:8080"
admin_listen = "0.0.0.0:9090"
workers = 2
shutdown_grace_s = 30

[logging]
level = "info"
format = "json"

[health]
# The container's one writable file system.
disk_path = "/tmp"
disk_min_free_mb = 50

[auth]
enabled = true
# The hash of the client token in tokens.txt; give that token to your MCP clients.
clients = { production = "%1" }

[rate_limit]
enabled = true
requests_per_minute = 600
)";

// PRODMCP_UPSTREAM_NOTES_AUTHORIZATION for upstream notes's masked "Authorization".
QString variable_for(QString const& upstream, QString const& name) {
  QString variable = QStringLiteral("PRODMCP_UPSTREAM_%1_%2").arg(upstream, name).toUpper();
  for (auto& c : variable)
    if (!c.isLetterOrNumber()) c = '_';
  return variable;
}

// `json` (print-config's form of a value) as a TOML literal; empty for what no key holds.
QString toml_literal(QJsonValue const& json) {
  auto const toml = [](config::Value const& value) { return QString::fromStdString(config::to_toml(value)); };
  switch (json.type()) {
    case QJsonValue::Bool: return toml(json.toBool());
    case QJsonValue::Double: {
      double const number = json.toDouble();
      return number == double(qint64(number)) ? toml(std::int64_t(number)) : toml(number);
    }
    case QJsonValue::String: return toml(json.toString().toStdString());
    case QJsonValue::Array: {
      config::StringList list;
      for (auto const& item : json.toArray()) list.push_back(item.toString().toStdString());
      return toml(list);
    }
    case QJsonValue::Object: {
      auto const object = json.toObject();
      if (!object.isEmpty() && object.begin()->isDouble()) {
        config::IntegerMap map;
        for (auto it = object.begin(); it != object.end(); ++it) map[it.key().toStdString()] = it->toInteger();
        return toml(map);
      }
      config::StringMap map;
      for (auto it = object.begin(); it != object.end(); ++it) map[it.key().toStdString()] = it->toString().toStdString();
      return toml(map);
    }
    default: return {};
  }
}

struct Upstream {
  QString name;
  std::vector<std::pair<QString, QJsonValue>> keys;  // leaf -> value, as set (not defaults)
  QString command;
  QStringList args;
  QString cwd;
};

// The upstreams' keys a person or a flag set, in the order print-config lists them.
QList<Upstream> upstreams_of(QJsonObject const& running) {
  QList<Upstream> upstreams;
  for (auto const& item : running.value("keys").toArray()) {
    auto const entry = item.toObject();
    auto const key = entry.value("key").toString();
    if (!key.startsWith("upstreams.") || entry.value("origin").toString() == "default") continue;
    auto const name = key.section('.', 1, 1);
    auto const leaf = key.section('.', 2);
    if (upstreams.isEmpty() || upstreams.last().name != name) upstreams.append(Upstream{name, {}, {}, {}, {}});
    auto& upstream = upstreams.last();
    auto const value = entry.value("value");
    upstream.keys.emplace_back(leaf, value);
    if (leaf == "command") upstream.command = value.toString();
    if (leaf == "args")
      for (auto const& arg : value.toArray()) upstream.args << arg.toString();
    if (leaf == "cwd") upstream.cwd = value.toString();
  }
  return upstreams;
}

// Debian packages (or what to do) for the programs the upstreams run.
QString runtime_for(QString const& command, QStringList& notes) {
  auto const program = QFileInfo(command).fileName();
  if (program.startsWith("python")) return QStringLiteral("python3");
  if (program == "node" || program == "npx" || program == "npm") return QStringLiteral("nodejs npm");
  if (program == "uv" || program == "uvx")
    notes << QObject::tr("`%1` needs uv, which Debian 12 does not package: install it in the Dockerfile (e.g. pipx) or "
                         "run the server with python3").arg(program);
  else if (program == "deno" || program == "bun")
    notes << QObject::tr("`%1` is not in Debian 12: add it to the Dockerfile from its own release").arg(program);
  else if (QFileInfo(command).isAbsolute())
    notes << QObject::tr("`%1` is a program of this machine: copy it into the image (see the Dockerfile)").arg(command);
  return {};
}

QByteArray indented(QByteArray const& text, int spaces) {
  QByteArray result;
  QByteArray const pad(spaces, ' ');
  for (auto const& line : text.split('\n')) result += (line.isEmpty() ? QByteArray() : pad + line) + '\n';
  return result;
}

}  // namespace

DeploymentBundle make_bundle(BundleInput const& input) {
  DeploymentBundle bundle;
  auto const hash = [](QString const& token) { return token_hash(token.toUtf8()); };
  QString config = QString::fromLatin1(kProductionBase).arg(hash(input.client_token), hash(input.admin_token));
  std::set<QString> packages;
  QStringList runtime_notes;
  for (auto const& upstream : upstreams_of(input.running_config)) {
    bundle.upstreams << upstream.name;
    config += QStringLiteral("\n[upstreams.%1]\n").arg(upstream.name);
    for (auto const& [leaf, json] : upstream.keys) {
      auto value = json;
      // Masked secrets become variables the deployment sets (headers and env expand ${VAR}).
      if (json.isObject()) {
        auto object = json.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
          if (it->toString() == kMasked) {
            auto const variable = variable_for(upstream.name, it.key());
            bundle.secret_variables << variable;
            *it = QStringLiteral("${%1}").arg(variable);
          }
        value = object;
      }
      if (auto const literal = toml_literal(value); !literal.isEmpty()) config += leaf + QStringLiteral(" = ") + literal + '\n';
    }
    if (!upstream.command.isEmpty()) {
      if (auto const runtime = runtime_for(upstream.command, runtime_notes); !runtime.isEmpty())
        for (auto const& package : runtime.split(' ')) packages.insert(package);
      for (auto const& word : upstream.args + QStringList{upstream.cwd})
        if (QFileInfo(word).isAbsolute() && QFileInfo::exists(word) && !bundle.local_paths.contains(word))
          bundle.local_paths << word;
    }
  }
  bundle.files["prodmcp.toml"] = config.toUtf8();

  QByteArray dockerfile = "# prodmcp-server with what your upstream servers need to run.\n"
                          "#   docker build -t prodmcp-gateway:" + input.image_tag.toUtf8() + " .\n"
                          "FROM prodmcp-server:" + input.image_tag.toUtf8() + "\nUSER root\n";
  if (!packages.empty()) {
    QStringList list(packages.begin(), packages.end());
    dockerfile += "RUN apt-get update \\\n && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends " +
                  list.join(' ').toUtf8() + " \\\n && rm -rf /var/lib/apt/lists/*\n";
  }
  for (auto const& path : bundle.local_paths)
    dockerfile += "# Named by an upstream's command: copy it into this folder, then\n# COPY " +
                  QFileInfo(path).fileName().toUtf8() + " " + path.toUtf8() + "\n";
  dockerfile += "COPY prodmcp.toml /etc/prodmcp/prodmcp.toml\nENV PRODMCP_CONFIG=/etc/prodmcp/prodmcp.toml\nUSER 1000:1000\n";
  bundle.files["Dockerfile"] = dockerfile;

  QByteArray secrets;
  for (auto const& variable : bundle.secret_variables)
    secrets += "      " + variable.toUtf8() + ": ${" + variable.toUtf8() + ":?set " + variable.toUtf8() + "}\n";
  bundle.files["compose.override.yaml"] =
      "# With the repository's compose files, from its root, this folder's path in PRODMCP_BUNDLE:\n"
      "#   PRODMCP_BUNDLE=$PWD/BUNDLE docker compose -f installers/docker/compose.yaml \\\n"
      "#     -f installers/docker/compose.production.yaml -f BUNDLE/compose.override.yaml up -d\n"
      "services:\n"
      "  prodmcp:\n"
      "    build:\n"
      "      context: ${PRODMCP_BUNDLE:?set PRODMCP_BUNDLE to this folder's absolute path}\n"
      "      dockerfile: Dockerfile\n"
      "    image: prodmcp-gateway:" + input.image_tag.toUtf8() + "\n"
      "    environment:\n"
      "      PRODMCP_CONFIG: /etc/prodmcp/prodmcp.toml\n" + secrets;

  bundle.files["configmap.yaml"] =
      "# Replaces installers/k8s/configmap.yaml: kubectl apply -k installers/k8s, then\n"
      "#   kubectl apply -f configmap.yaml && kubectl rollout restart deployment/prodmcp\n"
      "# and set the deployment's image to prodmcp-gateway (the Dockerfile beside this file).\n"
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: prodmcp-config\n  labels:\n"
      "    app.kubernetes.io/name: prodmcp\n    app.kubernetes.io/component: server\ndata:\n  prodmcp.toml: |\n" +
      indented(config.toUtf8(), 4);

  QStringList notes;
  notes << QStringLiteral("# Deployment bundle") << QString()
        << QObject::tr("prodmcp-server in front of %1, in the production profile.")
               .arg(bundle.upstreams.isEmpty() ? QObject::tr("its built-in tools") : bundle.upstreams.join(", "))
        << QString() << QStringLiteral("- `prodmcp.toml`: the config (`prodmcp-server check-config --profile production prodmcp.toml`).")
        << QStringLiteral("- `Dockerfile`: the prodmcp-server image with your servers' runtimes.")
        << QStringLiteral("- `compose.override.yaml`: Docker Compose, over the repository's production files.")
        << QStringLiteral("- `configmap.yaml`: Kubernetes, in place of installers/k8s/configmap.yaml.")
        << QStringLiteral("- `%1`: the bearer tokens for your MCP clients and for the admin port (their hashes "
                          "are in the config). Move them to your secret store and delete this copy.").arg(kTokensFile)
        << QString() << QStringLiteral("## Left to do") << QString();
  for (auto const& variable : bundle.secret_variables)
    notes << QObject::tr("- Set `%1`: a secret the console shows masked, as `${%1}` in the config.").arg(variable);
  for (auto const& path : bundle.local_paths)
    notes << QObject::tr("- `%1` is on this machine: put it into the image at that path (the Dockerfile shows how).").arg(path);
  for (auto const& note : runtime_notes) notes << QStringLiteral("- ") + note;
  notes << QObject::tr("- Set `REDIS_URL` (the repository's compose and k8s files do), so replicas share the cache and "
                       "rate limits.");
  bundle.files["README.md"] = (notes.join('\n') + '\n').toUtf8();
  bundle.files[kTokensFile] = "client: " + input.client_token.toUtf8() + "\nadmin: " + input.admin_token.toUtf8() + '\n';
  return bundle;
}

bool write_bundle(DeploymentBundle const& bundle, QString const& directory, QString& error) {
  QDir const dir(directory);
  if (!dir.mkpath(".")) {
    error = QObject::tr("cannot make %1").arg(directory);
    return false;
  }
  for (auto it = bundle.files.begin(); it != bundle.files.end(); ++it)
    if (QFileInfo::exists(dir.filePath(it.key()))) {
      error = QObject::tr("%1 already holds %2: pick an empty folder").arg(directory, it.key());
      return false;
    }
  for (auto it = bundle.files.begin(); it != bundle.files.end(); ++it) {
    auto const path = dir.filePath(it.key());
    QFile file(path);
    // Owner-only before the tokens go in; NewOnly: nothing there is replaced.
    bool const written = file.open(QIODevice::WriteOnly | QIODevice::NewOnly) &&
                         (it.key() != kTokensFile || file.setPermissions(QFile::ReadOwner | QFile::WriteOwner)) &&
                         file.write(it.value()) == it.value().size() && file.flush();
    if (!written) {
      error = QObject::tr("cannot write %1: %2").arg(path, file.errorString());
      return false;
    }
  }
  return true;
}

}  // namespace prodmcp::console
