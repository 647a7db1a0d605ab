#pragma once
// An outgoing stream of JSON-RPC messages that a transport drains as SSE events. It outlives the
// HTTP connection that carries it, so a client that lost the connection can resume it with
// Last-Event-ID (session revisions): producers append, whichever connection is attached reads.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace prodmcp::protocol {

namespace asio = boost::asio;

class EventStream {
 public:
  struct Event {
    std::uint64_t sequence;
    std::string data;  // one serialized JSON-RPC message; empty for a priming event
  };
  struct Batch {
    std::vector<Event> events;
    bool finished = false;  // no event will follow the ones in this batch
    bool detach = false;    // this reader must end its connection (displaced, polling, shutdown)
  };

  // `retained` and `retained_bytes` bound the events kept for replay; the oldest are dropped
  // first, but the newest is always kept (it may be the call's result).
  static constexpr std::size_t kDefaultRetainedBytes = 1 << 20;
  EventStream(std::string id, std::size_t retained, std::size_t retained_bytes = kDefaultRetainedBytes);
  ~EventStream();

  std::string const& id() const { return id_; }
  std::string event_id(std::uint64_t sequence) const { return id_ + "_" + std::to_string(sequence); }

  // Producer side, any thread.
  std::uint64_t push(std::string data);
  void finish();
  // Wakes the attached reader so it can end its connection (SSE polling, shutdown).
  void disconnect_reader();

  // Reader side. One reader is attached at a time; attaching displaces the previous one.
  std::uint64_t attach_reader();
  // Waits until there are events after `after`, the stream finished, or this reader must detach.
  asio::awaitable<Batch> next(std::uint64_t after, std::uint64_t reader, asio::any_io_executor executor);
  bool finished() const;

 private:
  struct Doorbell;
  void ring();

  std::string id_;
  std::size_t retained_;
  std::size_t retained_bytes_;
  std::size_t bytes_ = 0;  // of the events kept
  mutable std::mutex mutex_;
  std::deque<Event> events_;
  std::uint64_t next_sequence_ = 1;
  bool finished_ = false;
  std::uint64_t reader_generation_ = 0;
  std::uint64_t disconnect_generation_ = 0;
  std::shared_ptr<Doorbell> doorbell_;
};

}  // namespace prodmcp::protocol
