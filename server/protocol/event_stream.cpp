#include "protocol/event_stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace prodmcp::protocol {

// A one-slot channel used as a wake-up bell: ringing a bell that already rings is a no-op.
struct EventStream::Doorbell {
  explicit Doorbell(asio::any_io_executor executor) : channel(std::move(executor), 1) {}
  asio::experimental::concurrent_channel<void(boost::system::error_code)> channel;
};

EventStream::EventStream(std::string id, std::size_t retained, std::size_t retained_bytes)
    : id_(std::move(id)), retained_(retained), retained_bytes_(retained_bytes) {}
EventStream::~EventStream() = default;

std::uint64_t EventStream::push(std::string data) {
  std::uint64_t sequence;
  {
    std::lock_guard lock(mutex_);
    if (finished_) return 0;
    sequence = next_sequence_++;
    bytes_ += data.size();
    events_.push_back({sequence, std::move(data)});
    while (events_.size() > retained_ || (bytes_ > retained_bytes_ && events_.size() > 1)) {
      bytes_ -= events_.front().data.size();
      events_.pop_front();
    }
  }
  ring();
  return sequence;
}

void EventStream::finish() {
  {
    std::lock_guard lock(mutex_);
    finished_ = true;
  }
  ring();
}

void EventStream::disconnect_reader() {
  {
    std::lock_guard lock(mutex_);
    disconnect_generation_ = reader_generation_;
  }
  ring();
}

std::uint64_t EventStream::attach_reader() {
  {
    std::lock_guard lock(mutex_);
    ++reader_generation_;
  }
  ring();  // the displaced reader wakes and detaches
  std::lock_guard lock(mutex_);
  return reader_generation_;
}

bool EventStream::finished() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

void EventStream::ring() {
  std::shared_ptr<Doorbell> bell;
  {
    std::lock_guard lock(mutex_);
    bell = doorbell_;
  }
  if (bell) bell->channel.try_send(boost::system::error_code{});
}

asio::awaitable<EventStream::Batch> EventStream::next(std::uint64_t after, std::uint64_t reader,
                                                      asio::any_io_executor executor) {
  std::shared_ptr<Doorbell> bell;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      Batch batch;
      batch.detach = reader != reader_generation_ || disconnect_generation_ == reader;
      for (auto const& event : events_)
        if (event.sequence > after) batch.events.push_back(event);
      batch.finished = finished_;
      if (!batch.events.empty() || batch.finished || batch.detach) co_return batch;
      if (!bell) bell = std::make_shared<Doorbell>(executor);
      doorbell_ = bell;
    }
    auto [ec] = co_await bell->channel.async_receive(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return Batch{{}, finished(), true};
  }
}

}  // namespace prodmcp::protocol
