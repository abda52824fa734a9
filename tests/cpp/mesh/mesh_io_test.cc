// Gmsh .msh reading keeps physical names; the distributed triangulation carries them.
#include "../test_support.h"

#include <firstray/errors.h>
#include <firstray/mesh/mesh_data.h>

#include <deal.II/distributed/fully_distributed_tria.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace firstray;

namespace
{
std::string temp_path(const std::string &name)
{
  return (std::filesystem::temp_directory_path() /
          ("firstray_test_" + std::to_string(::getpid()) + "_" + name))
    .string();
}
} // namespace

TEST(MeshIo, WriteThenReadKeepsNamesAndElements)
{
  const auto mesh = firstray::testing::box_mesh({2, 2, 1}, dealii::Point<3>(2.0, 2.0, 1.0), 0.1);
  const auto path = temp_path("box.msh");
  mesh::write_msh(mesh, path);
  const auto back = mesh::read_msh(path);
  std::remove(path.c_str());
  EXPECT_EQ(back.region_names, mesh.region_names);
  EXPECT_EQ(back.surface_names, mesh.surface_names);
  EXPECT_EQ(back.tetrahedra.size(), mesh.tetrahedra.size());
  EXPECT_EQ(back.triangles.size(), mesh.triangles.size());
  ASSERT_EQ(back.vertices.size(), mesh.vertices.size());
  for (std::size_t v = 0; v < mesh.vertices.size(); ++v)
    EXPECT_LT(back.vertices[v].distance(mesh.vertices[v]), 1e-14);
  EXPECT_EQ(back.surface_id("z1", "test"), 6u);
}

TEST(MeshIo, GmshGeneratedMeshKeepsPhysicalNames)
{
  const std::string mesh_file = std::string(FIRSTRAY_SOURCE_DIR) + "/tests/data/two_blocks.msh";
  const auto        mesh      = mesh::read_msh(mesh_file);
  EXPECT_EQ(mesh.region_names, (std::vector<std::string>{"left", "right"}));
  EXPECT_EQ(mesh.n_surfaces(), 2u);
  EXPECT_GT(mesh.tetrahedra.size(), 10u);
  // The two blocks are conformal: the serial triangulation has one connected volume.
  dealii::Triangulation<3> tria;
  mesh::build_serial_triangulation(mesh, tria);
  double volume = 0;
  for (const auto &cell : tria.active_cell_iterators())
    volume += cell->measure();
  EXPECT_NEAR(volume, 2.0, 1e-12);
}

TEST(MeshIo, ErrorsNameTheFile)
{
  const auto message = [](const std::string &path) {
    try
      {
        mesh::read_msh(path);
      }
    catch (const InputError &e)
      {
        return std::string(e.what());
      }
    return std::string("no error");
  };
  EXPECT_NE(message("/no/such/mesh.msh").find("'/no/such/mesh.msh' does not exist"), std::string::npos);

  const auto garbage = temp_path("garbage.msh");
  std::ofstream(garbage) << "hello\n";
  EXPECT_NE(message(garbage).find("is not a Gmsh .msh file"), std::string::npos);
  std::remove(garbage.c_str());

  // A surface-only (2D) mesh has no tetrahedra.
  const std::string surface_only = std::string(FIRSTRAY_SOURCE_DIR) + "/tests/data/square_2d.msh";
  EXPECT_NE(message(surface_only).find("contains no tetrahedra"), std::string::npos);
}

TEST(MeshIo, DistributedTriangulationCoversTheMeshMpi)
{
  const auto mesh = firstray::testing::box_mesh({4, 2, 2}, dealii::Point<3>(4.0, 2.0, 2.0));
  dealii::parallel::fullydistributed::Triangulation<3> tria(MPI_COMM_WORLD);
  mesh::build_distributed_triangulation(mesh, tria);
  EXPECT_EQ(tria.n_global_active_cells(), mesh.tetrahedra.size());
  double volume = 0;
  for (const auto &cell : tria.active_cell_iterators())
    if (cell->is_locally_owned())
      volume += cell->measure();
  EXPECT_NEAR(dealii::Utilities::MPI::sum(volume, MPI_COMM_WORLD), 16.0, 1e-12);
}
