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
  auto item = std::make_shared<Tool const>(std::move(tool));
  publish(
      [&](Snapshot& s) {
        s.tools_by_name[string_field(item->descriptor, "name")] = item;
        replace_or_append(s.tools, item, "name");
      },
      CatalogChange::kTools);
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
  auto item = std::make_shared<Resource const>(std::move(resource));
  publish(
      [&](Snapshot& s) {
        s.resources_by_uri[string_field(item->descriptor, "uri")] = item;
        replace_or_append(s.resources, item, "uri");
      },
      CatalogChange::kResources);
}

void Catalog::add_template(ResourceTemplate resource_template) {
  auto item = std::make_shared<ResourceTemplate const>(std::move(resource_template));
  publish([&](Snapshot& s) { replace_or_append(s.templates, item, "uriTemplate"); }, CatalogChange::kResources);
}

void Catalog::add_prompt(Prompt prompt) {
  auto item = std::make_shared<Prompt const>(std::move(prompt));
  publish(
      [&](Snapshot& s) {
        s.prompts_by_name[string_field(item->descriptor, "name")] = item;
        replace_or_append(s.prompts, item, "name");
      },
      CatalogChange::kPrompts);
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
