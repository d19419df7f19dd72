#include "settings.hpp"

#include <string>
#include <vector>

#include <pybind11/stl.h>

namespace py = pybind11;

namespace cxm::python {
namespace {

std::string text_of(const char* name, py::handle v) {
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  // os.PathLike (pathlib.Path) for paths.
  if (py::hasattr(v, "__fspath__")) return v.attr("__fspath__")().cast<std::string>();
  throw py::type_error(std::string(name) + ": expected a string, got " + std::string(py::str(v.get_type().attr("__name__"))));
}

std::vector<std::string> texts_of(const char* name, py::handle v) {
  if (py::isinstance<py::str>(v)) return {v.cast<std::string>()};
  std::vector<std::string> out;
  try {
    for (auto item : py::iter(v)) out.push_back(text_of(name, item));
  } catch (const py::error_already_set&) {
    throw py::type_error(std::string(name) + ": expected a list of strings");
  }
  return out;
}

bool flag_of(const char* name, py::handle v) {
  if (!py::isinstance<py::bool_>(v)) throw py::type_error(std::string(name) + ": expected True or False");
  return v.cast<bool>();
}

std::uint64_t count_of(const char* name, py::handle v, std::uint64_t min) {
  if (py::isinstance<py::bool_>(v) || !py::isinstance<py::int_>(v)) {
    throw py::type_error(std::string(name) + ": expected an integer");
  }
  const auto i = v.cast<long long>();
  if (i < 0 || static_cast<std::uint64_t>(i) < min) {
    throw py::value_error(std::string(name) + ": expected an integer >= " + std::to_string(min) + ", got " +
                          std::to_string(i));
  }
  return static_cast<std::uint64_t>(i);
}

}  // namespace

cxm::ingest_settings settings_from(const py::kwargs& kwargs) {
  cxm::ingest_settings s;
  for (const auto& [key, value] : kwargs) {
    const auto name = key.cast<std::string>();
    if (name == "format") {
      s.format = text_of("format", value);
    } else if (name == "delimiter") {
      s.delimiter = text_of("delimiter", value);
    } else if (name == "decimal_comma") {
      s.decimal_comma = flag_of("decimal_comma", value);
    } else if (name == "epoch_unit") {
      s.epoch_unit = text_of("epoch_unit", value);
    } else if (name == "mapping") {
      s.mapping = text_of("mapping", value);
    } else if (name == "columns") {
      if (py::isinstance<py::dict>(value)) {
        for (const auto& [field, column] : value.cast<py::dict>()) {
          s.columns.push_back(text_of("columns", field) + "=" + (column.is_none() ? "" : text_of("columns", column)));
        }
      } else {
        s.columns = texts_of("columns", value);
      }
    } else if (name == "fields") {
      s.fields = texts_of("fields", value);
    } else if (name == "channels") {
      s.channels = texts_of("channels", value);
    } else if (name == "strict") {
      s.strict = flag_of("strict", value);
    } else if (name == "threads") {
      s.threads = static_cast<unsigned>(count_of("threads", value, 0));
    } else if (name == "chunk_bytes") {
      s.chunk_bytes = static_cast<std::size_t>(count_of("chunk_bytes", value, 1));
    } else if (name == "byte_range") {
      // (begin, end): end None reads to the end of the file.
      const bool pair = (py::isinstance<py::tuple>(value) || py::isinstance<py::list>(value)) && py::len(value) == 2;
      if (!pair) throw py::type_error("byte_range: expected (begin, end), end None for the end of the file");
      const auto items = py::reinterpret_borrow<py::sequence>(value);
      cxm::byte_range r;
      r.begin = count_of("byte_range", items[0], 0);
      if (!py::object(items[1]).is_none()) r.end = count_of("byte_range", items[1], 0);
      s.range = r;
    } else {
      throw py::type_error("unexpected keyword argument '" + name + "' (the reading options are: " + settings_names +
                           ")");
    }
  }
  return s;
}

}  // namespace cxm::python
