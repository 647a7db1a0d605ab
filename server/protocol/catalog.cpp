#include "protocol/catalog.hpp"

#include <algorithm>

namespace prodmcp::protocol {

namespace {
std::string string_field(json::object const& object, std::string_view key) {
  auto const* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

template <class Item>
void replace_or_append(std::vector<std::shared_ptr<Item const>>& items, std::shared_ptr<Item const> item,
                       std::string_view key) {
  auto const name = string_field(item->descriptor, key);
  auto it = std::find_if(items.begin(), items.end(),
                         [&](auto const& existing) { return string_field(existing->descriptor, key) == name; });
  if (it != items.end()) *it = std::move(item);
  else items.push_back(std::move(item));
}
}  // namespace

Catalog::Catalog() { snapshot_.store(std::make_shared<Snapshot const>()); }

void Catalog::publish(std::function<void(Snapshot&)> const& edit, CatalogChange change) {
  std::vector<ChangeListener> listeners;
  {
    std::lock_guard lock(write_mutex_);
    auto next = std::make_shared<Snapshot>(*snapshot_.load());
    edit(*next);
    snapshot_.store(std::move(next), std::memory_order_release);
    listeners = change_listeners_;
  }
  for (auto const& listener : listeners) listener(change);
}

void Catalog::add_tool(Tool tool) {
  Changes changes;
  changes.tools.push_back(std::move(tool));
  apply(std::move(changes));
}

bool Catalog::remove_tool(std::string const& name) {
  bool removed = false;
  publish(
      [&](Snapshot& s) {
        removed = s.tools_by_name.erase(name) > 0;
        std::erase_if(s.tools, [&](auto const& t) { return string_field(t->descriptor, "name") == name; });
      },
      CatalogChange::kTools);
  return removed;
}

void Catalog::add_resource(Resource resource) {
  Changes changes;
  changes.resources.push_back(std::move(resource));
  apply(std::move(changes));
}

void Catalog::add_template(ResourceTemplate resource_template) {
  Changes changes;
  changes.templates.push_back(std::move(resource_template));
  apply(std::move(changes));
}

void Catalog::add_prompt(Prompt prompt) {
  Changes changes;
  changes.prompts.push_back(std::move(prompt));
  apply(std::move(changes));
}

bool Catalog::remove_prompt(std::string const& name) {
  bool removed = false;
  publish(
      [&](Snapshot& s) {
        removed = s.prompts_by_name.erase(name) > 0;
        std::erase_if(s.prompts, [&](auto const& p) { return string_field(p->descriptor, "name") == name; });
      },
      CatalogChange::kPrompts);
  return removed;
}

void Catalog::apply(Changes changes) {
  std::vector<CatalogChange> changed;
  if (!changes.remove_tools.empty() || !changes.tools.empty()) changed.push_back(CatalogChange::kTools);
  if (!changes.remove_resources.empty() || !changes.resources.empty() || !changes.remove_templates.empty() ||
      !changes.templates.empty())
    changed.push_back(CatalogChange::kResources);
  if (!changes.remove_prompts.empty() || !changes.prompts.empty()) changed.push_back(CatalogChange::kPrompts);
  if (changed.empty()) return;
  auto in = [](std::vector<std::string> const& names, std::string const& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  std::vector<ChangeListener> listeners;
  {
    std::lock_guard lock(write_mutex_);
    auto s = std::make_shared<Snapshot>(*snapshot_.load());
    for (auto const& name : changes.remove_tools) s->tools_by_name.erase(name);
    std::erase_if(s->tools, [&](auto const& t) { return in(changes.remove_tools, string_field(t->descriptor, "name")); });
    for (auto const& uri : changes.remove_resources) s->resources_by_uri.erase(uri);
    std::erase_if(s->resources,
                  [&](auto const& r) { return in(changes.remove_resources, string_field(r->descriptor, "uri")); });
    std::erase_if(s->templates, [&](auto const& t) {
      return in(changes.remove_templates, string_field(t->descriptor, "uriTemplate"));
    });
    for (auto const& name : changes.remove_prompts) s->prompts_by_name.erase(name);
    std::erase_if(s->prompts,
                  [&](auto const& p) { return in(changes.remove_prompts, string_field(p->descriptor, "name")); });
    for (auto& tool : changes.tools) {
      auto item = std::make_shared<Tool const>(std::move(tool));
      s->tools_by_name[string_field(item->descriptor, "name")] = item;
      replace_or_append(s->tools, item, "name");
    }
    for (auto& resource : changes.resources) {
      auto item = std::make_shared<Resource const>(std::move(resource));
      s->resources_by_uri[string_field(item->descriptor, "uri")] = item;
      replace_or_append(s->resources, item, "uri");
    }
    for (auto& resource_template : changes.templates)
      replace_or_append(s->templates, std::make_shared<ResourceTemplate const>(std::move(resource_template)),
                        "uriTemplate");
    for (auto& prompt : changes.prompts) {
      auto item = std::make_shared<Prompt const>(std::move(prompt));
      s->prompts_by_name[string_field(item->descriptor, "name")] = item;
      replace_or_append(s->prompts, item, "name");
    }
    snapshot_.store(std::move(s), std::memory_order_release);
    listeners = change_listeners_;
  }
  for (auto const change : changed)
    for (auto const& listener : listeners) listener(change);
}

void Catalog::on_change(ChangeListener listener) {
  std::lock_guard lock(write_mutex_);
  change_listeners_.push_back(std::move(listener));
}

void Catalog::on_resource_updated(UpdateListener listener) {
  std::lock_guard lock(write_mutex_);
  update_listeners_.push_back(std::move(listener));
}

void Catalog::resource_updated(std::string const& uri) const {
  std::vector<UpdateListener> listeners;
  {
    std::lock_guard lock(write_mutex_);
    listeners = update_listeners_;
  }
  for (auto const& listener : listeners) listener(uri);
}

}  // namespace prodmcp::protocol
